//! `knead undo`: take back this device's latest answer and its effect on the schedule.

use knead::error::Error;
use knead::store::{Access, Store};

use super::Context;
use super::study::undone_text;

pub fn run(context: &Context) -> Result<(), Error> {
    let (mut store, notices) = Store::open(&context.data_dir, Access::Exclusive)?;
    for notice in notices {
        errln!("note: {}", notice.0);
    }
    match store.undo_last()? {
        Some(undone) => {
            outln!("{}", undone_text(&undone));
            Ok(())
        }
        None => Err(Error::NothingToUndo {
            log: store.journal_path(),
        }),
    }
}
