//! What a deck is: the types an instructor writes in RON, and the rules of their text (ids,
//! Cloze deletions, card references) that need no file to check.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_CARDS;

/// How a retired card's reason names the card that stays, e.g. `retired: "duplicate of
/// red-flags-and-safety/rf-dvt-crohns"`.
pub const DUPLICATE_PREFIX: &str = "duplicate of ";

/// A deck as written in its RON file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    /// Lowercase letters, digits and '-'; with a card's id it identifies the card's progress.
    pub id: String,
    pub title: String,
    /// Raised by the author with each published revision.
    #[serde(default = "first_version")]
    pub version: u32,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub authors: Vec<String>,
    /// What changed in each version, told once to students when they next study.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changelog: BTreeMap<u32, String>,
    #[serde(deserialize_with = "at_their_size")]
    pub cards: Vec<Card>,
}

/// The cards, in a `Vec` allocated at once at the length the format announces, up to
/// [`MAX_CARDS`]. serde's own `Vec` starts at 1 MiB and doubles, which for a compiled copy of a
/// 10,000-card deck (MessagePack announces its length) meant two reallocations, a copy of every
/// card, and a third of the capacity left unused: at 100,000 cards, 40 MB at the peak of
/// `knead stats`. RON announces no length; its cards grow as before. The cap keeps a length
/// field from asking for more than a deck can hold.
pub(super) fn at_their_size<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    struct Cards<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Cards<T> {
        type Value = Vec<T>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut cards = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_CARDS + 1));
            while let Some(card) = seq.next_element()? {
                cards.push(card);
            }
            Ok(cards)
        }
    }
    deserializer.deserialize_seq(Cards(std::marker::PhantomData))
}

pub(super) fn first_version() -> u32 {
    1
}

/// Declares a card kind: its own fields plus the fields every card shares.
macro_rules! card_kind {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident : $type:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Unique within the deck; lowercase letters, digits and '-'.
            pub id: String,
            $($(#[$field_doc])* pub $field: $type,)*
            /// Why the answer is right: the reasoning a student should take away.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub why: Option<String>,
            /// A citation a student could look up.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub source: Option<String>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub tags: Vec<String>,
            /// Safety-critical: a red flag or a contraindication.
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            pub critical: bool,
            /// The card's revision, raised by the author with each published edit (0: never edited).
            #[serde(default, skip_serializing_if = "is_zero")]
            pub rev: u32,
            /// What the latest edit (`rev`) did, which decides what happens to students' progress.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub change: Option<Change>,
            /// Withdrawn from study, with the reason students are told; its history is kept.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub retired: Option<String>,
            /// Retired cards whose history this card carries on: `"card"` in this deck, or
            /// `"deck/card"` in another (a duplicate merged into the copy that stays).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub replaces: Vec<String>,
            /// Cards that look alike on purpose (the same client, one detail changed), written
            /// like `replaces`: `knead check` does not report them as near-duplicates.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub contrast: Vec<String>,
        }

        impl $name {
            fn common(&self) -> Common<'_> {
                Common {
                    id: &self.id,
                    why: self.why.as_deref(),
                    source: self.source.as_deref(),
                    tags: &self.tags,
                    critical: self.critical,
                    rev: self.rev,
                    change: self.change,
                    retired: self.retired.as_deref(),
                    replaces: &self.replaces,
                    contrast: &self.contrast,
                }
            }
        }
    };
}

card_kind!(
    /// A question and its answer; the student grades their own recall.
    Basic { front: String, back: String }
);
card_kind!(
    /// Multiple choice; `answer` is the 0-based index of the right option.
    Choice { prompt: String, options: Vec<String>, answer: usize }
);
card_kind!(
    /// A statement to judge true or false.
    TrueFalse { statement: String, answer: bool }
);
card_kind!(
    /// Text with `{{deletions}}`; each deletion is studied as its own item.
    Cloze { text: String }
);
card_kind!(
    /// Which verdict applies to a technique for a client.
    Scenario { client: String, technique: String, verdict: Verdict }
);

/// The verdict a Scenario card asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Verdict {
    /// Standard care.
    Suitable,
    /// Suitable with named precautions.
    Adapt,
    /// Avoid this technique for this client now.
    Avoid,
    /// Postpone the session and refer. (The default only for cards built in code: the most
    /// cautious verdict.)
    #[default]
    Refer,
}

impl Verdict {
    /// In the order students answer them (1-4 in plain mode).
    pub const ALL: [Verdict; 4] = [
        Verdict::Suitable,
        Verdict::Adapt,
        Verdict::Avoid,
        Verdict::Refer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Suitable => "Suitable",
            Verdict::Adapt => "Adapt",
            Verdict::Avoid => "Avoid",
            Verdict::Refer => "Refer",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Suitable => "standard care",
            Verdict::Adapt => "suitable with named precautions",
            Verdict::Avoid => "avoid this technique for this client now",
            Verdict::Refer => "postpone the session and refer",
        }
    }
}

/// One card of any kind.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub enum Card {
    Basic(Basic),
    Choice(Choice),
    TrueFalse(TrueFalse),
    Cloze(Cloze),
    Scenario(Scenario),
}

/// The fields every card kind has.
#[derive(Clone, Copy, Debug)]
pub struct Common<'a> {
    pub id: &'a str,
    pub why: Option<&'a str>,
    pub source: Option<&'a str>,
    pub tags: &'a [String],
    pub critical: bool,
    pub rev: u32,
    pub change: Option<Change>,
    pub retired: Option<&'a str>,
    pub replaces: &'a [String],
    pub contrast: &'a [String],
}

/// A reference to a card from another card (`replaces`, `contrast`): `"card"` in the same
/// deck, or `"deck/card"`. Returns the deck id and the card id.
pub fn card_ref<'a>(reference: &'a str, own_deck: &'a str) -> (&'a str, &'a str) {
    match reference.split_once('/') {
        Some((deck, card)) => (deck, card),
        None => (own_deck, reference),
    }
}

/// What an edit to a card means for the students who already study it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Change {
    /// Spelling or formatting: progress is kept as it is.
    Typo,
    /// Same fact, clearer wording: progress is kept, and the card comes back within a day.
    Clarify,
    /// A different fact or answer: progress starts again (the old history stays in the log).
    Substantive,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Card {
    pub fn common(&self) -> Common<'_> {
        match self {
            Card::Basic(c) => c.common(),
            Card::Choice(c) => c.common(),
            Card::TrueFalse(c) => c.common(),
            Card::Cloze(c) => c.common(),
            Card::Scenario(c) => c.common(),
        }
    }

    pub fn id(&self) -> &str {
        self.common().id
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Card::Basic(_) => "Basic",
            Card::Choice(_) => "Choice",
            Card::TrueFalse(_) => "TrueFalse",
            Card::Cloze(_) => "Cloze",
            Card::Scenario(_) => "Scenario",
        }
    }

    /// The bytes of text the card holds, over all its fields (ids, tags and references
    /// included), as checked against [`crate::limits::MAX_CARD_BYTES`].
    pub fn text_bytes(&self) -> usize {
        let common = self.common();
        let own = match self {
            Card::Basic(c) => c.front.len() + c.back.len(),
            Card::Choice(c) => c.prompt.len() + c.options.iter().map(String::len).sum::<usize>(),
            Card::TrueFalse(c) => c.statement.len(),
            Card::Cloze(c) => c.text.len(),
            Card::Scenario(c) => c.client.len() + c.technique.len(),
        };
        let lists = [common.tags, common.replaces, common.contrast]
            .iter()
            .flat_map(|list| list.iter())
            .map(String::len)
            .sum::<usize>();
        own + lists
            + common.id.len()
            + common.why.map_or(0, str::len)
            + common.source.map_or(0, str::len)
            + common.retired.map_or(0, str::len)
    }

    /// How many items this card is studied as: one per Cloze deletion, otherwise one.
    pub fn item_count(&self) -> usize {
        match self {
            Card::Cloze(cloze) => cloze_deletions(&cloze.text).map_or(0, |d| d.len()),
            _ => 1,
        }
    }
}

/// The byte ranges of each `{{deletion}}`'s content in a Cloze text.
pub fn cloze_deletions(text: &str) -> Result<Vec<Range<usize>>, ClozeError> {
    let mut deletions = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("{{").map(|i| rest + i) {
        if let Some(stray) = text[rest..open].find("}}") {
            return Err(ClozeError::StrayClose(rest + stray));
        }
        let content = open + 2;
        let Some(close) = text[content..].find("}}").map(|i| content + i) else {
            return Err(ClozeError::Unclosed(open));
        };
        if let Some(nested) = text[content..close].find("{{") {
            return Err(ClozeError::Unclosed(content + nested));
        }
        if text[content..close].trim().is_empty() {
            return Err(ClozeError::Empty(open));
        }
        deletions.push(content..close);
        rest = close + 2;
    }
    if let Some(stray) = text[rest..].find("}}") {
        return Err(ClozeError::StrayClose(rest + stray));
    }
    Ok(deletions)
}

/// What is wrong with a Cloze text's braces (byte offsets into the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClozeError {
    Unclosed(usize),
    StrayClose(usize),
    Empty(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloze_deletions_are_found_and_bad_braces_rejected() {
        let text = "Steroids thin the {{skin}} and cause {{bone loss}}.";
        let found: Vec<_> = cloze_deletions(text)
            .unwrap()
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["skin", "bone loss"]);
        assert_eq!(cloze_deletions("a {{b"), Err(ClozeError::Unclosed(2)));
        assert_eq!(cloze_deletions("a }} b"), Err(ClozeError::StrayClose(2)));
        assert_eq!(cloze_deletions("a {{ }} b"), Err(ClozeError::Empty(2)));
        assert_eq!(cloze_deletions("{{a {{b}}"), Err(ClozeError::Unclosed(4)));
    }
}
