//! Durable file operations: atomic replacement, directory sync, setting a file aside.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext};

/// Replaces `path` with `contents` so that a crash leaves the old file or the new one, never
/// a mixture: temporary file in the same directory, fsync, rename, fsync of the directory.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).context("create", dir)?;
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).context("create a temporary file in", dir)?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .context("write", path)?;
    temp.persist(path).map_err(|e| Error::Io {
        action: "replace",
        path: path.to_owned(),
        source: e.error,
    })?;
    sync_dir(dir)
}

/// Makes a rename or a new file's directory entry durable. Not possible on every platform.
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .context("sync", dir)?;
    Ok(())
}

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
    sync_dir(dir)?;
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
