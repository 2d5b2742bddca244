//! Studying: the decks a learner studies and the items they make ([`collection`]), one study
//! session's queue and answers ([`session`]), exam plans ([`exam`]), what an instructor's edits
//! mean for a learner's progress ([`revision`]), and the facts about a learner's history that
//! the session summary and the reports share ([`history`]).
//!
//! This layer sits on the store: it reads and appends progress through [`crate::store`] and
//! never touches the files itself.

pub mod collection;
pub mod exam;
pub mod history;
pub mod revision;
pub mod session;
