-- A developer's home counts its parcels transferred but not yet built on. The developer's index
-- found all its parcels and fetched each row to test the status (136 table pages for a national
-- developer's 160 parcels, none of them free); this one holds only the free ones.
CREATE INDEX parcels_developer_free_idx ON parcels (developer_org_id) WHERE status = 'transferred';
