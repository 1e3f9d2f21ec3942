//! Time as a parameter: the core never reads a clock (`SystemTime::now` panics on wasm32).

use der::DateTime;
use x509_cert::time::Time;

/// Seconds since the Unix epoch, supplied by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Milliseconds since the epoch, as JavaScript's `Date.now()` gives them.
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis / 1000)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    pub(crate) fn from_x509(time: &Time) -> Self {
        Self(time.to_unix_duration().as_secs())
    }

    pub(crate) fn to_datetime(self) -> Option<DateTime> {
        DateTime::from_unix_duration(core::time::Duration::from_secs(self.0)).ok()
    }

    /// ISO-8601 (RFC 3339) in UTC, e.g. `2030-01-01T00:00:00Z`.
    pub fn to_iso8601(self) -> String {
        match self.to_datetime() {
            Some(dt) => dt.to_string(),
            None => String::from("invalid"),
        }
    }
}
