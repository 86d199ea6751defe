-- An owner may contest a rejection; the insurer upholds it or reopens the claim, whose service
-- clocks then run again from the reopening (the earlier survey and decision stay in the timeline).
ALTER TABLE claims DROP CONSTRAINT claims_status_check;
ALTER TABLE claims ADD CONSTRAINT claims_status_check
    CHECK (status IN ('reported', 'surveying', 'surveyed', 'more_info', 'rejected', 'approved',
                      'repair_ordered', 'repaired', 'owner_confirmed', 'paid', 'disputed'));
ALTER TABLE claims ADD COLUMN reopened_at timestamptz;
GRANT UPDATE (reopened_at) ON claims TO zhianbao_app;
