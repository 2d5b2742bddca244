//! The store's own file operations: setting a damaged file aside, clearing what a killed save
//! left. Atomic replacement and directory sync are [`crate::files`]'s, shared with the caches.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext};

/// Renames `path` to `<name>.bad-<UTC time>` (with a counter if that is taken); returns the
/// new path.
pub fn set_aside(path: &Path) -> Result<PathBuf, Error> {
    let stamp = crate::day::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut aside = dir.join(format!("{name}.bad-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = dir.join(format!("{name}.bad-{stamp}-{n}"));
    }
    fs::rename(path, &aside).context("set aside", path)?;
    crate::files::sync_dir(dir)?;
    Ok(aside)
}

/// Removes the temporary files of saves cut off by a kill (`.tmpXXXXXX`, up to the size of a
/// whole snapshot or deck) from the folders this device writes: the data directory itself,
/// `decks/`, `exam/` and its own local folder. Only the lock holder calls this, and every writer
/// there holds the lock (`knead add` too), so none of them is still being written. Failing to
/// remove one is not an error.
pub fn remove_temporary_files(dir: &Path, local: &Path) {
    for folder in [
        dir.to_owned(),
        dir.join("decks"),
        dir.join("exam"),
        local.to_owned(),
        local.join("seen"),
    ] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_temporary = entry.file_name().to_string_lossy().starts_with(".tmp");
            if is_temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
