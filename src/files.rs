//! Reading files that someone else may have named: only regular files are read, and nothing
//! knead opens for reading can block it.
//!
//! A path on the command line (`knead add`, `check`, `show`, `import`, `--deck`) or in the
//! data directory can name a FIFO, a device such as `/dev/zero` (endless), a socket or a
//! folder. Each is refused with [`Error::NotAFile`]. The type is checked twice: with the path's
//! metadata before opening (so a device is never even opened), and on the open file itself (so
//! swapping the file between the two steps does not get past the check). The file is opened
//! with `O_NONBLOCK`, so a FIFO put in place between the two steps cannot make `open` wait for a
//! writer that never comes.

use std::fs::{self, File, FileType, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::error::{Error, IoContext};

/// What a file type is, in words, when it is not a regular file.
pub fn kind_of(file_type: &FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some(crate::error::FOLDER);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Opens `path` (following symbolic links) for reading if it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, Error> {
    let metadata = fs::metadata(path).context("read", path)?;
    refuse_unless_regular(path, &metadata.file_type())?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).context("read", path)?;
    let metadata = file.metadata().context("read", path)?;
    refuse_unless_regular(path, &metadata.file_type())?;
    Ok(file)
}

/// The bytes of the regular file `path`.
pub fn read_regular(path: &Path) -> Result<Vec<u8>, Error> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).context("read", path)?;
    Ok(bytes)
}

/// The bytes of the regular file `path`, or `None` if there is nothing at `path`.
pub fn read_regular_if_present(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    match read_regular(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// The bytes of a file knead keeps for its own bookkeeping (not progress), or `None` if there
/// is none. A file that is there but cannot be read is reported as
/// [`Error::UnreadableRecord`], which says what the file is for and what removing it loses.
pub fn read_record(
    path: &Path,
    purpose: &'static str,
    lost: &'static str,
) -> Result<Option<Vec<u8>>, Error> {
    read_regular_if_present(path).map_err(|error| {
        let source = match error {
            Error::Io { source, .. } => source,
            Error::NotAFile { kind, .. } => io::Error::other(format!("it is {kind}, not a file")),
            other => io::Error::other(other.to_string()),
        };
        Error::UnreadableRecord {
            path: path.to_owned(),
            source,
            purpose,
            lost,
        }
    })
}

fn refuse_unless_regular(path: &Path, file_type: &FileType) -> Result<(), Error> {
    match kind_of(file_type) {
        None => Ok(()),
        Some(kind) => Err(Error::NotAFile {
            path: path.to_owned(),
            kind,
        }),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_missing_ones_are_absent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ron");
        fs::write(&path, "text").unwrap();
        assert_eq!(read_regular(&path).unwrap(), b"text");
        assert_eq!(read_regular_if_present(&path).unwrap().unwrap(), b"text");
        assert!(
            read_regular_if_present(&dir.path().join("missing"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn an_unreadable_record_says_what_it_is_for_and_what_removing_it_loses() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("decks-seen.ron");
        fs::create_dir(&record).unwrap();
        let error = read_record(&record, "remembers X", "one Y").unwrap_err();
        assert!(matches!(error, Error::UnreadableRecord { .. }), "{error:?}");
        assert!(error.to_string().contains("decks-seen.ron"), "{error}");
        let help = error.help().unwrap();
        assert!(help.contains("decks-seen.ron only remembers X"), "{help}");
        assert!(
            help.contains("remove it: that loses one Y, and no answer"),
            "{help}"
        );
        assert!(
            read_record(&dir.path().join("none"), "", "")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_regular(dir.path()).unwrap_err();
        assert!(
            matches!(
                error,
                Error::NotAFile {
                    kind: "a folder",
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let error = read_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(
            matches!(
                error,
                Error::NotAFile {
                    kind: "a character device",
                    ..
                }
            ),
            "{error:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.ron");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        // With no writer, a blocking open would wait for ever; this returns at once.
        let error = read_regular(&fifo).unwrap_err();
        assert!(
            matches!(
                error,
                Error::NotAFile {
                    kind: "a named pipe (FIFO)",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(matches!(
            read_regular_if_present(&fifo),
            Err(Error::NotAFile { .. })
        ));
    }
}
