//! The deck format: RON files that instructors write by hand.
//!
//! ```ron
//! Deck(
//!     id: "lupus-basics",
//!     title: "Lupus for massage therapists",
//!     version: 1,
//!     cards: [
//!         Basic(id: "sle-definition", front: "What is SLE?", back: "An autoimmune disease ...",
//!               why: "...", source: "...", tags: ["lupus"]),
//!     ],
//! )
//! ```
//!
//! Parsing reports every syntax or type error with its exact position (a deck that does not
//! parse as a whole is read again card by card, so one mistake does not hide the others); the
//! cards that parse are then checked for the rules serde cannot express (unique ids, answer
//! index in range, ...), all of them reported at once.

//!
//! One concept a file: [`schema`] is what a deck is, [`load`] turns text into a deck (or every
//! located problem), [`checks`] holds the rules beyond syntax, [`outline`] finds where each card
//! stands in its text, and [`diagnostic`] is how a problem is located and drawn.

pub mod checks;
pub mod diagnostic;
pub mod load;
pub mod outline;
pub mod schema;
pub mod without_text;

pub use load::*;
pub use schema::*;
