//! What a learner's progress means: `knead stats` ([`stats`], computed apart from its text),
//! one card's history ([`card_info`]), `knead status` ([`status`]), and the text charts they
//! draw ([`chart`]). Read-only: nothing here writes progress.

pub mod card_info;
pub mod chart;
pub mod class;
pub mod class_html;
pub mod stats;
pub mod status;
