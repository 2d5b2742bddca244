//! `knead add FILE`: check a deck and install it into the data directory for study.

use std::path::Path;

use knead::error::Error;
use knead::study::collection::{self, Installed};

use super::Context;

pub fn run(context: &Context, file: &Path) -> Result<(), Error> {
    match collection::install(&context.data_dir, file)? {
        Installed::Added { id, path } => {
            outln!(
                "Installed deck `{id}` into {}. `knead study` now includes it.",
                path.display()
            )
        }
        Installed::Updated {
            id,
            path,
            from_version,
            to_version,
        } if from_version == to_version => outln!(
            "Replaced deck `{id}` v{to_version} in {} with this copy of the same version; progress on its cards is kept.\nStudents who already studied v{to_version} will not be told of the changes: raise `version:` and add a `changelog` entry to announce them.",
            path.display()
        ),
        Installed::Updated {
            id,
            path,
            from_version,
            to_version,
        } => outln!(
            "Updated deck `{id}` (v{from_version} -> v{to_version}) in {}; progress on its cards is kept.",
            path.display()
        ),
    }
    Ok(())
}
