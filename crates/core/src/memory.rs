//! Memory the process may still use, and allocation that fails with an [`Error`] instead of
//! aborting. Linux lets a process reserve far more than it has and kills it when the pages are
//! touched, and under `ulimit -v` a failed allocation aborts the process; so every large buffer is
//! accounted against [`available`] before a call starts, then allocated with [`try_filled`].

use crate::error::{Error, Result};

/// Below this many bytes, a request is not checked against the system (reading /proc costs more
/// than such an allocation, and a failure is still an error thanks to [`try_filled`]).
const ALWAYS_FITS: u64 = 64 << 20;

/// Bytes this process can still allocate: the least of the system's `MemAvailable`, the headroom
/// under its cgroup's `memory.max` (containers) and the headroom under its address-space limit
/// (`ulimit -v`). None when none of them can be read.
pub fn available() -> Option<u64> {
    [mem_available(), cgroup_headroom(), address_space_headroom()].into_iter().flatten().min()
}

/// Whether `values` more f32 values fit in [`available`] memory.
pub fn fits_in_memory(values: usize) -> bool {
    values.checked_mul(std::mem::size_of::<f32>()).is_some_and(|bytes| fits(bytes as u64))
}

/// Whether `bytes` more bytes fit in [`available`] memory.
pub fn fits(bytes: u64) -> bool {
    bytes < ALWAYS_FITS || available().is_none_or(|a| bytes <= a)
}

/// A buffer of `len` copies of `value`, or [`Error::OutOfMemory`] naming `what` when the memory
/// cannot be had (never an abort).
pub fn try_filled<T: Clone>(len: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        let bytes = len.saturating_mul(std::mem::size_of::<T>()) as u64;
        Error::OutOfMemory(format!("{what}: cannot allocate {} ({len} values)", format_bytes(bytes)))
    })?;
    v.resize(len, value);
    Ok(v)
}

/// [`try_filled`] with zeros.
pub fn try_zeroed(len: usize, what: &str) -> Result<Vec<f32>> {
    try_filled(len, 0.0, what)
}

/// Bytes of `values` f32 values (saturating: an impossible size stays impossible).
pub fn f32_bytes(values: usize) -> u64 {
    (values as u64).saturating_mul(4)
}

/// What a call needs, part by part, for the message that refuses it.
#[derive(Debug, Default)]
pub struct Needs {
    /// `(what, bytes, already held)`: parts already allocated count in the total but not in
    /// what has to be found. `what` may go on after the size: "outputs {} for 10 rows".
    parts: Vec<(String, u64, bool)>,
}

impl Needs {
    /// A part that still has to be allocated.
    pub fn add(&mut self, what: impl Into<String>, bytes: u64) -> &mut Self {
        self.parts.push((what.into(), bytes, false));
        self
    }

    /// A part the model already holds (shown in the total, not looked for).
    pub fn held(&mut self, what: impl Into<String>, bytes: u64) -> &mut Self {
        self.parts.push((what.into(), bytes, true));
        self
    }

    /// Every part: `(what, bytes, already held)`.
    pub fn parts(&self) -> impl Iterator<Item = (&str, u64, bool)> {
        self.parts.iter().map(|(what, bytes, held)| (what.as_str(), *bytes, *held))
    }

    /// Bytes still to allocate.
    pub fn to_allocate(&self) -> u64 {
        self.parts.iter().filter(|p| !p.2).fold(0u64, |s, p| s.saturating_add(p.1))
    }

    /// Refuses the call (`call` names it, `detail` follows the parts, such as "for batch size
    /// 32") when what it still has to allocate does not fit in [`available`] memory.
    pub fn check(&self, call: &str, detail: &str) -> Result<()> {
        let needed = self.to_allocate();
        if needed < ALWAYS_FITS {
            return Ok(());
        }
        match available() {
            Some(a) if needed > a => Err(Error::OutOfMemory(self.message(call, detail, a))),
            _ => Ok(()),
        }
    }

    fn message(&self, call: &str, detail: &str, available: u64) -> String {
        let total = self.parts.iter().fold(0u64, |s, p| s.saturating_add(p.1));
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(what, b, _)| if what.contains("{}") { what.replace("{}", &format_bytes(*b)) } else { format!("{what} {}", format_bytes(*b)) })
            .collect();
        let detail = if detail.is_empty() { String::new() } else { format!(" {detail}") };
        let more =
            if self.parts.iter().any(|p| p.2) { format!(", {} more than the model holds now,", format_bytes(self.to_allocate())) } else { String::new() };
        format!("{call} needs {} ({}{detail}){more} but {} is available", format_bytes(total), parts.join(", "), format_bytes(available))
    }
}

/// Bytes in the decimal units people read them in: "512 B", "3.4 MB", "6.2 GB".
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `MemAvailable` from /proc/meminfo.
fn mem_available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&info, "MemAvailable:")
}

/// A `Name:   123 kB` line of a /proc file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse::<u64>().ok()?.checked_mul(1024)
}

/// The address-space limit (`ulimit -v`, RLIMIT_AS) minus the address space in use (VmSize).
fn address_space_headroom() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let limit = soft_limit(&limits, "Max address space")?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let used = kib_field(&status, "VmSize:")?;
    Some(limit.saturating_sub(used))
}

/// The soft limit of a /proc/self/limits row, None when unlimited.
fn soft_limit(limits: &str, name: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// The least headroom (limit minus usage) of this process's cgroup and its ancestors: cgroup v2's
/// `memory.max`/`memory.current`, or v1's `memory.limit_in_bytes`/`memory.usage_in_bytes`.
fn cgroup_headroom() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut best: Option<u64> = None;
    for line in membership.lines() {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let (root, limit_file, usage_file) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max", "memory.current"),
            c if c.split(',').any(|c| c == "memory") => ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes"),
            _ => continue,
        };
        // A limit on any ancestor applies too (inside a container the path may not resolve: then
        // only the root of the mounted hierarchy is read).
        let mut dir = std::path::PathBuf::from(format!("{root}{path}"));
        loop {
            let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok().and_then(|s| s.trim().parse::<u64>().ok());
            if let (Some(limit), Some(usage)) = (read(limit_file), read(usage_file)) {
                // cgroup v1 spells "no limit" as a huge number.
                if limit < (1 << 60) {
                    let headroom = limit.saturating_sub(usage);
                    best = Some(best.map_or(headroom, |b| b.min(headroom)));
                }
            }
            if dir.as_os_str().len() <= root.len() || !dir.pop() {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sizes() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1500), "1.5 kB");
        assert_eq!(format_bytes(6_200_000_000), "6.2 GB");
        assert_eq!(format_bytes(999_960_000), "1.0 GB");
        assert_eq!(format_bytes(u64::MAX), "18.4 EB");
    }

    #[test]
    fn reads_proc_fields() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax address space         4294967296           unlimited            bytes\n";
        assert_eq!(soft_limit(limits, "Max address space"), Some(4294967296));
        let unlimited = "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(soft_limit(unlimited, "Max address space"), None);
        assert_eq!(kib_field("VmPeak:\t  100 kB\nVmSize:\t  2048 kB\n", "VmSize:"), Some(2048 * 1024));
    }

    #[test]
    fn refusal_names_every_part() {
        let mut needs = Needs::default();
        needs.held("weights", 1_500_000_000).add("gradients", 1_500_000_000).add("optimizer slots", u64::MAX / 2);
        let e = needs.check("fit", "for batch size 32").unwrap_err().to_string();
        assert!(e.starts_with("fit needs "), "{e}");
        assert!(e.contains("(weights 1.5 GB, gradients 1.5 GB, optimizer slots 9.2 EB for batch size 32)"), "{e}");
        assert!(e.contains("more than the model holds now, but "), "{e}");
        assert!(e.ends_with(" is available"), "{e}");
        let mut small = Needs::default();
        small.add("activations", 1000);
        assert!(small.check("fit", "").is_ok());
    }

    #[test]
    fn failed_allocation_is_an_error() {
        let e = try_zeroed(usize::MAX / 8, "predict: outputs").unwrap_err();
        assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
        assert!(e.to_string().starts_with("predict: outputs: cannot allocate "), "{e}");
        assert_eq!(try_filled(3, 1u8, "x").unwrap(), vec![1, 1, 1]);
    }
}
