//! Which machine this is: a device id made once per machine and kept outside the data
//! directory, so that copying or syncing the data directory never clones it.
//!
//! The id names this device's journal (`journal/<id>.log`), its exam plan file and its
//! device-local folder (`local/<id>/`). It is the host name made into a slug, then 8 random
//! characters: `laptop-k3m9q2xa`, readable in a file listing and unique in practice.
//!
//! Where it is kept, first match wins:
//! - `KNEAD_DEVICE_ID`: the id itself (tests, portable installs);
//! - `KNEAD_STATE_DIR/device-id`;
//! - the platform state directory: `$XDG_STATE_HOME/knead/device-id` (`~/.local/state` on Linux
//!   and macOS); on Windows `%LOCALAPPDATA%\knead\device-id`, which a roaming profile does not
//!   copy to other machines.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::RngExt;

use crate::error::{Error, IoContext};

/// The environment variable that sets this device's id outright.
pub const DEVICE_ID_ENV: &str = "KNEAD_DEVICE_ID";
/// The environment variable naming the folder that keeps the device id file.
pub const STATE_DIR_ENV: &str = "KNEAD_STATE_DIR";
/// The file (in the state directory) holding the id.
pub const DEVICE_FILE: &str = "device-id";

const MAX_LEN: usize = 64;
const HOST_PART: usize = 24;
const RANDOM_PART: usize = 8;
/// Lowercase letters and digits without the easily confused `0 o 1 l`.
const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyz";

/// A device id: 1-64 lowercase ASCII letters, digits and `-`, starting with a letter or digit.
/// Only such names are read as journals, so a sync tool's conflict copy
/// (`laptop.sync-conflict-20261121.log`, `laptop (conflicted copy).log`) never is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(String);

impl DeviceId {
    pub fn parse(text: &str) -> Option<DeviceId> {
        let valid = !text.is_empty()
            && text.len() <= MAX_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-');
        valid.then(|| DeviceId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A new id for a machine called `host`.
    pub fn mint(host: &str) -> DeviceId {
        let mut slug = String::new();
        for c in host.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= HOST_PART {
                break;
            }
        }
        let slug = slug.trim_end_matches('-');
        let mut rng = rand::rng();
        let random: String = (0..RANDOM_PART)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        let host = if slug.is_empty() { "device" } else { slug };
        DeviceId(format!("{host}-{random}"))
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// This machine's device id: from `KNEAD_DEVICE_ID`, else from the device id file, which is
/// made on first use.
pub fn this_device() -> Result<DeviceId, Error> {
    // The library's own tests never read or make the machine's real id.
    if cfg!(test) {
        return Ok(DeviceId("unit-test".to_owned()));
    }
    if let Some(value) = std::env::var_os(DEVICE_ID_ENV) {
        let text = value.to_string_lossy();
        return DeviceId::parse(text.trim()).ok_or_else(|| Error::DeviceId {
            path: PathBuf::from(format!("${DEVICE_ID_ENV}")),
            problem: format!("`{text}` is not a device id"),
        });
    }
    let dir = state_dir().ok_or_else(|| Error::DeviceId {
        path: PathBuf::from("the state directory"),
        problem: "no home directory to keep this machine's device id in".into(),
    })?;
    load_or_create(&dir.join(DEVICE_FILE))
}

/// Where the device id file lives (see the module documentation).
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(STATE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().ok()?;
    // Windows has no state directory: the local (not roaming) application data folder, which
    // etcetera calls the cache directory, is the one that stays on this machine.
    Some(
        strategy
            .state_dir()
            .unwrap_or_else(|| strategy.cache_dir())
            .join("knead"),
    )
}

/// The id in `path`, or a new one written there. Two processes making it at once agree: the
/// file is created only if it does not exist yet, and the loser reads the winner's.
pub fn load_or_create(path: &Path) -> Result<DeviceId, Error> {
    match read(path)? {
        Some(id) => Ok(id),
        None => {
            let id = DeviceId::mint(&host_name());
            let dir = path.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(dir).context("create", dir)?;
            let mut temp =
                tempfile::NamedTempFile::new_in(dir).context("create a temporary file in", dir)?;
            temp.write_all(format!("{id}\n").as_bytes())
                .and_then(|()| temp.as_file().sync_all())
                .context("write", path)?;
            match temp.persist_noclobber(path) {
                Ok(_) => {
                    crate::files::sync_dir(dir)?;
                    Ok(id)
                }
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                    read(path)?.ok_or_else(|| invalid(path, "it is empty"))
                }
                Err(e) => Err(Error::Io {
                    action: "create",
                    path: path.to_owned(),
                    source: e.error,
                }),
            }
        }
    }
}

fn read(path: &Path) -> Result<Option<DeviceId>, Error> {
    match fs::read_to_string(path) {
        Ok(text) => DeviceId::parse(text.trim())
            .map(Some)
            .ok_or_else(|| invalid(path, &format!("`{}` is not a device id", text.trim()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io {
            action: "read",
            path: path.to_owned(),
            source: e,
        }),
    }
}

fn invalid(path: &Path, problem: &str) -> Error {
    Error::DeviceId {
        path: path.to_owned(),
        problem: problem.to_owned(),
    }
}

/// The machine's host name, for a readable id; empty when unknown.
fn host_name() -> String {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for its whole length; gethostname writes at most that.
        let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
        if status == 0 {
            let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
            return String::from_utf8_lossy(&buffer[..end]).into_owned();
        }
        String::new()
    }
    #[cfg(not(unix))]
    {
        std::env::var("COMPUTERNAME").unwrap_or_default()
    }
}

/// The files of `folder` named `<device id>.<extension>` (journals, exam plans), by device, and
/// the names of the other visible files: a sync tool's conflict copy or an editor's backup, which
/// is never read as a device's file. Hidden files (temporary files of an atomic write, sync
/// tools' own `.syncthing.*.tmp`) are neither. A missing folder holds nothing.
pub fn files_by_device(
    folder: &Path,
    extension: &str,
) -> Result<(BTreeMap<DeviceId, PathBuf>, Vec<String>), crate::error::Error> {
    let mut found = BTreeMap::new();
    let mut others = Vec::new();
    let read_error = |source| crate::error::Error::Io {
        action: "read",
        path: folder.to_owned(),
        source,
    };
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((found, others)),
        Err(source) => return Err(read_error(source)),
    };
    let suffix = format!(".{extension}");
    for entry in entries {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        match name.strip_suffix(&suffix).and_then(DeviceId::parse) {
            Some(device) => {
                found.insert(device, entry.path());
            }
            None => others.push(name.into_owned()),
        }
    }
    others.sort();
    Ok((found, others))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs_and_conflict_copies_are_not() {
        for good in ["laptop-k3m9q2xa", "a", "lab-pc-2"] {
            assert!(DeviceId::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "-x",
            "Laptop",
            "laptop.sync-conflict-20261121-101010-ABCDEFG",
            "laptop (conflicted copy 2026-11-21)",
            "a/b",
            &"x".repeat(65),
        ] {
            assert!(DeviceId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_minted_id_starts_with_the_host_name_and_is_valid() {
        let id = DeviceId::mint("Anna's MacBook Pro.local");
        assert!(id.as_str().starts_with("anna-s-macbook-pro-local-"), "{id}");
        assert!(DeviceId::parse(id.as_str()).is_some());
        let bare = DeviceId::mint("...");
        assert!(bare.as_str().starts_with("device-"), "{bare}");
        assert_ne!(DeviceId::mint("x"), DeviceId::mint("x"));
        let long = DeviceId::mint(&"verylonghostname".repeat(10));
        assert!(long.as_str().len() <= HOST_PART + 1 + RANDOM_PART, "{long}");
    }

    #[test]
    fn the_id_is_made_once_and_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join(DEVICE_FILE);
        let first = load_or_create(&path).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), first);
        assert_eq!(fs::read_to_string(&path).unwrap(), format!("{first}\n"));
    }

    #[test]
    fn a_damaged_id_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEVICE_FILE);
        fs::write(&path, "Not An Id\n").unwrap();
        let error = load_or_create(&path).unwrap_err();
        assert!(
            matches!(&error, Error::DeviceId { path: p, .. } if p == &path),
            "{error:?}"
        );
        assert!(error.help().unwrap().contains("KNEAD_DEVICE_ID"));
    }
}
