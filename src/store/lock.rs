//! Exclusive use of this device's journal by one session at a time.
//!
//! On Unix the lock is taken on the journal file itself: the file it protects, which knead
//! never renames or replaces, so deleting or replacing a lock file cannot let a second session
//! in. (`flock` is advisory: readers and sync tools still read the journal.) Windows locks are
//! mandatory, and a locked journal could not be read by `knead stats` or a sync tool during a
//! session, so there the sidecar `local/<device>/knead.lock` is locked instead, as before.
//! The holder writes its process id into `knead.lock`, so that a refused session can name it.
//! Filesystems without locks (`Unsupported`, or `ENOLCK` from NFS without a lock daemon) are
//! noted and the session goes on without one, as cargo does.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::Notice;
use crate::error::{Error, IoContext};
use crate::files::write_atomically;

/// The file naming the process that holds the lock, in the device-local folder.
pub const LOCK_FILE: &str = "knead.lock";

/// This device's journal, locked until dropped.
#[derive(Debug)]
pub struct Lock {
    /// The locked file (unless the filesystem has no locks): the journal, or on Windows the
    /// pid file.
    _held: File,
    pid_file: PathBuf,
    locked: bool,
}

impl Lock {
    /// Locks the journal at `journal` (creating it, empty, if needed), or fails at once if
    /// another session holds it. `local` is the device-local folder for the pid file.
    pub fn acquire(journal: &Path, local: &Path) -> Result<(Lock, Option<Notice>), Error> {
        if let Some(folder) = journal.parent() {
            fs::create_dir_all(folder).context("create", folder)?;
        }
        fs::create_dir_all(local).context("create", local)?;
        let pid_file = local.join(LOCK_FILE);
        let file = append_options()
            .open(journal)
            .context("open the journal", journal)?;
        #[cfg(not(unix))]
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&pid_file)
            .context("open the lock file", &pid_file)
            .map(|pid| {
                drop(file);
                pid
            })?;
        let locked = match file.try_lock() {
            Ok(()) => true,
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Busy {
                    lock: journal.to_owned(),
                    holder: holder(&pid_file),
                });
            }
            Err(fs::TryLockError::Error(error)) if unsupported(&error) => {
                let notice = Notice(format!(
                    "this filesystem does not support file locks ({}: {error}); do not study from two terminals at once",
                    journal.display()
                ));
                return Ok((
                    Lock {
                        _held: file,
                        pid_file,
                        locked: false,
                    },
                    Some(notice),
                ));
            }
            Err(fs::TryLockError::Error(error)) => {
                return Err(Error::Io {
                    action: "lock",
                    path: journal.to_owned(),
                    source: error,
                });
            }
        };
        // Informational only: a failure to write it does not stop the session.
        #[cfg(unix)]
        let _ = write_atomically(&pid_file, format!("{}\n", std::process::id()).as_bytes());
        #[cfg(not(unix))]
        let _ = {
            use std::io::Write;
            file.set_len(0)
                .and_then(|()| (&file).write_all(format!("{}\n", std::process::id()).as_bytes()))
        };
        Ok((
            Lock {
                _held: file,
                pid_file,
                locked,
            },
            None,
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.locked && cfg!(unix) {
            // The pid file says who holds the lock: once released, nobody. (The lock itself
            // goes with the file handle.)
            let _ = fs::remove_file(&self.pid_file);
        }
    }
}

/// Whether a lock error means the filesystem has no locks.
fn unsupported(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::Unsupported || {
        #[cfg(unix)]
        {
            error.raw_os_error() == Some(libc::ENOLCK)
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

/// The process id in the pid file, if it names one.
fn holder(pid_file: &Path) -> Option<u32> {
    fs::read_to_string(pid_file).ok()?.trim().parse().ok()
}

/// Opening a journal for appending: created if needed, readable only by its owner.
pub fn append_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}
