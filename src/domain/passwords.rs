//! Password rules (ASVS 2.1, NIST SP 800-63B): length only, no composition rules, no truncation,
//! and no password from the list of the most common ones.

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooCommon,
    SameAsUsername,
}

impl PasswordProblem {
    /// The locale key of the message shown to the user.
    pub fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.too_short",
            PasswordProblem::TooLong => "password.too_long",
            PasswordProblem::TooCommon => "password.too_common",
            PasswordProblem::SameAsUsername => "password.same_as_username",
        }
    }
}

const COMMON: &str = include_str!("common_passwords.txt");

pub fn check_new_password(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lowered = password.to_lowercase();
    if lowered == username.to_lowercase() {
        return Err(PasswordProblem::SameAsUsername);
    }
    if COMMON.lines().any(|common| common == lowered) {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(
            check_new_password("abcdefghijk", "u"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check_new_password("tianyi-renhe", "u"), Ok(()));
        // 12 Chinese characters are 36 bytes but still 12 characters.
        assert_eq!(
            check_new_password("质安保住宅工程质量安全保险", "u"),
            Ok(())
        );
        let emoji = "🏠".repeat(64);
        assert_eq!(check_new_password(&emoji, "u"), Ok(()));
        assert_eq!(check_new_password(&"a1".repeat(64), "u"), Ok(()));
        assert_eq!(
            check_new_password(&"x".repeat(129), "u"),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_passwords_and_the_username_are_refused() {
        assert_eq!(
            check_new_password("Password123456", "u"),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            check_new_password("qwertyuiop123", "u"),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            check_new_password("laoshan-zjj-01", "laoshan-zjj-01"),
            Err(PasswordProblem::SameAsUsername)
        );
    }
}
