//! Login throttling (ASVS 2.2.1): a few free failures per window, then exponentially growing,
//! always temporary lockouts, so an attacker can neither guess fast nor lock a user out for long.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed within a window before the first lockout.
    pub free_failures: i32,
    pub window: Duration,
    pub first_lockout: Duration,
    pub max_lockout: Duration,
}

/// Per account: 5 free failures an hour; lockouts 30 s, 1 min, 2 min … at most 15 min, which keeps
/// well under ASVS's ceiling of 100 failures an hour.
pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    window: Duration::hours(1),
    first_lockout: Duration::seconds(30),
    max_lockout: Duration::minutes(15),
};

/// Per client address: looser, so a shared office network can still sign in many users.
pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 30,
    window: Duration::hours(1),
    first_lockout: Duration::minutes(1),
    max_lockout: Duration::minutes(15),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_start: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl ThrottleState {
    /// When a locked key may try again, if it is locked now.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }
}

/// The state after one more failed attempt.
pub fn record_failure(
    policy: &ThrottlePolicy,
    previous: Option<ThrottleState>,
    now: DateTime<Utc>,
) -> ThrottleState {
    let (failures, window_start) = match previous {
        Some(state) if now - state.window_start < policy.window => {
            (state.failures + 1, state.window_start)
        }
        _ => (1, now),
    };
    let locked_until = (failures >= policy.free_failures).then(|| {
        let doublings = u32::try_from(failures - policy.free_failures)
            .unwrap_or(0)
            .min(16);
        let lockout = policy.first_lockout * 2i32.pow(doublings);
        now + lockout.min(policy.max_lockout)
    });
    ThrottleState {
        failures,
        window_start,
        locked_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn fail_times(policy: &ThrottlePolicy, n: i32, now: DateTime<Utc>) -> ThrottleState {
        (0..n)
            .fold(None, |state, _| Some(record_failure(policy, state, now)))
            .unwrap()
    }

    #[test]
    fn first_failures_are_free_then_the_account_locks() {
        let state = fail_times(&PER_ACCOUNT, 4, at(0));
        assert_eq!(state.locked_at(at(0)), None);
        let state = record_failure(&PER_ACCOUNT, Some(state), at(0));
        assert_eq!(state.locked_at(at(0)), Some(at(30)));
        assert_eq!(state.locked_at(at(31)), None, "lockouts are temporary");
    }

    #[test]
    fn lockouts_double_up_to_the_ceiling() {
        let state = fail_times(&PER_ACCOUNT, 6, at(0));
        assert_eq!(state.locked_until, Some(at(60)));
        let state = fail_times(&PER_ACCOUNT, 30, at(0));
        assert_eq!(state.locked_until, Some(at(15 * 60)));
    }

    #[test]
    fn a_new_window_forgives_old_failures() {
        let state = fail_times(&PER_ACCOUNT, 5, at(0));
        let state = record_failure(&PER_ACCOUNT, Some(state), at(3601));
        assert_eq!(state.failures, 1);
        assert_eq!(state.locked_until, None);
    }

    #[test]
    fn at_most_a_hundred_failures_an_hour_get_through() {
        // Attempt whenever allowed for an hour and count the failures the policy accepted.
        let mut state: Option<ThrottleState> = None;
        let mut accepted = 0;
        for second in 0..3600 {
            let now = at(second);
            if state.and_then(|s| s.locked_at(now)).is_none() {
                state = Some(record_failure(&PER_ACCOUNT, state, now));
                accepted += 1;
            }
        }
        assert!(accepted <= 100, "{accepted} failures in an hour");
    }
}
