//! How alike two cards' texts are: TF-IDF cosine similarity over stemmed words and word pairs.
//!
//! Why this measure: it is the standard one for near-duplicate detection in short texts, it is
//! explainable to an instructor ("these cards share most of their distinctive words"), and the
//! independent review of the bundled decks ranked its candidate pairs the same way before judging
//! them by hand. Words are stemmed (Snowball English, the stemmer search engines use), so
//! "swollen"/"swelling" and "refer"/"referral" count as one word; word pairs make "no ice" differ
//! from "ice, no heat". Rare words weigh more (inverse document frequency), so two cards that share
//! "hot", "stone", "heat-sensitive" and "multiple sclerosis" score high, while sharing "client" and
//! "massage" means little.
//!
//! Cost grows linearly with the number of cards: pairs are found through an inverted index, and
//! terms that appear in more than `MAX_POSTINGS` cards are left out of pairing (their weight is
//! near zero anyway), so each card is compared with a bounded number of others. Texts that are identical after normalising are grouped by
//! hash first, so a thousand copies of one card cost a thousand lookups, not a million pairs.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rust_stemmers::{Algorithm, Stemmer};

/// A pair of texts, by index, and their cosine similarity (0 to 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimilarPair {
    pub first: usize,
    pub second: usize,
    pub score: f64,
}

/// Terms found in more texts than this are not used to find pairs (they still count in each
/// text's length). A fixed number, not a share, keeps the work per text bounded, so the whole
/// comparison grows linearly with the number of cards: such a term's weight is small anyway
/// (in the bundled curriculum these are words like "client", "massage" and "with").
const MAX_POSTINGS: usize = 100;

/// The stemmed words and adjacent word pairs of a text, as terms.
pub fn terms(stemmer: &Stemmer, text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
        .collect();
    let mut terms = words.clone();
    terms.extend(
        words
            .windows(2)
            .map(|pair| format!("{} {}", pair[0], pair[1])),
    );
    terms
}

/// A term as a number: a stemmed word's number below [`PAIR`], or `PAIR` with the numbers of
/// the two words of an adjacent pair. Numbers cost a fraction of the strings they stand for,
/// and a pair of words needs no string of its own.
const PAIR: u64 = 1 << 63;

/// Calls `found` with every pair of `texts` whose similarity is at least `threshold`, each
/// pair once with `first < second`, in order of `second`, then `first`. Pairs are handed over
/// as they are found, never all held at once: texts built to resemble many others cost no
/// memory for it.
pub fn similar_pairs(texts: &[String], threshold: f64, mut found: impl FnMut(SimilarPair)) {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut words: HashMap<String, u64> = HashMap::new();
    // Identical texts (after stemming and case) are one representative plus copies; texts are
    // grouped by a hash of their terms, then compared.
    let mut by_terms: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut documents: Vec<(usize, Vec<u64>)> = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let ids: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let stem = stemmer.stem(&w.to_lowercase()).into_owned();
                let next = words.len() as u64;
                *words.entry(stem).or_insert(next)
            })
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mut terms = ids.clone();
        terms.extend(ids.windows(2).map(|pair| PAIR | pair[0] << 31 | pair[1]));
        let key = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            terms.hash(&mut hasher);
            hasher.finish()
        };
        let same = by_terms.entry(key).or_default();
        match same.iter().find(|&&doc| documents[doc].1 == terms) {
            Some(&doc) => copies.push((documents[doc].0, index)),
            None => {
                same.push(documents.len());
                documents.push((index, terms));
            }
        }
    }
    drop(by_terms);
    drop(words);

    let mut document_frequency: HashMap<u64, usize> = HashMap::new();
    for (_, terms) in &documents {
        let mut unique = terms.clone();
        unique.sort_unstable();
        unique.dedup();
        for term in unique {
            *document_frequency.entry(term).or_default() += 1;
        }
    }
    let count = documents.len() as f64;
    // Smoothed IDF, as scikit-learn computes it: a word in every text still weighs 1.
    let idf = |term: u64| ((1.0 + count) / (1.0 + document_frequency[&term] as f64)).ln() + 1.0;
    // A term in one text only, or in very many, is not used to find pairs.
    let pairs_through = |term: u64| (2..=MAX_POSTINGS).contains(&document_frequency[&term]);

    // Each document as unit-length (term, weight) pairs, weights = term count × IDF, in term
    // order (so that sums are added in the same order every run).
    let mut index_of = Vec::with_capacity(documents.len());
    let vectors: Vec<Vec<(u64, f64)>> = documents
        .into_iter()
        .map(|(index, mut terms)| {
            index_of.push(index);
            terms.sort_unstable();
            let mut vector: Vec<(u64, f64)> = Vec::new();
            for term in terms {
                match vector.last_mut() {
                    Some((last, n)) if *last == term => *n += 1.0,
                    _ => vector.push((term, 1.0)),
                }
            }
            for (term, weight) in &mut vector {
                *weight *= idf(*term);
            }
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            for (_, weight) in &mut vector {
                *weight /= norm;
            }
            vector.shrink_to_fit();
            vector
        })
        .collect();

    let mut postings: HashMap<u64, Vec<(usize, f64)>> = HashMap::new();
    let mut scores: HashMap<usize, f64> = HashMap::new();
    let mut here: Vec<SimilarPair> = Vec::new();
    // Copies were found in text order: each is handed over before the texts after it.
    let mut copies = copies.into_iter().peekable();
    for (doc, vector) in vectors.iter().enumerate() {
        let second = index_of[doc];
        while let Some(&(first, copy)) = copies.peek()
            && copy < second
        {
            found(SimilarPair {
                first,
                second: copy,
                score: 1.0,
            });
            copies.next();
        }
        // Dot products with every earlier document that shares a usable term.
        scores.clear();
        for &(term, weight) in vector {
            if !pairs_through(term) {
                continue;
            }
            if let Some(list) = postings.get(&term) {
                for &(other, other_weight) in list {
                    *scores.entry(other).or_default() += weight * other_weight;
                }
            }
        }
        here.clear();
        here.extend(scores.iter().filter(|(_, score)| **score >= threshold).map(
            |(&other, &score)| SimilarPair {
                first: index_of[other],
                second,
                score: score.min(1.0),
            },
        ));
        here.sort_by_key(|pair| pair.first);
        here.drain(..).for_each(&mut found);
        for &(term, weight) in vector {
            if pairs_through(term) {
                postings.entry(term).or_default().push((doc, weight));
            }
        }
    }
    for (first, second) in copies {
        found(SimilarPair {
            first,
            second,
            score: 1.0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    fn similar(texts: &[String], threshold: f64) -> Vec<SimilarPair> {
        let mut pairs = Vec::new();
        similar_pairs(texts, threshold, |pair| pairs.push(pair));
        pairs
    }

    #[test]
    fn rewordings_of_one_fact_score_high_and_different_facts_low() {
        let cards = texts(&[
            "A client with heat-sensitive multiple sclerosis asks for hot stone massage",
            "Hot stone massage for a client whose multiple sclerosis is heat sensitive",
            "A client with rheumatoid arthritis has a hot, swollen knee today",
            "Which drug class raises the risk of shingles in rheumatoid arthritis?",
        ]);
        let pairs = similar(&cards, 0.3);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].first, pairs[0].second), (0, 1));
        assert!(pairs[0].score > 0.5, "{pairs:?}");
    }

    #[test]
    fn identical_texts_are_paired_with_their_first_copy_at_full_score() {
        let cards = texts(&[
            "Same text.",
            "other words entirely",
            "same TEXT",
            "same text",
        ]);
        let pairs = similar(&cards, 0.99);
        let found: Vec<(usize, usize)> = pairs.iter().map(|p| (p.first, p.second)).collect();
        assert_eq!(found, vec![(0, 2), (0, 3)]);
        assert!(pairs.iter().all(|p| p.score == 1.0));
    }

    #[test]
    fn stemming_joins_word_forms() {
        let stemmer = Stemmer::create(Algorithm::English);
        assert_eq!(terms(&stemmer, "swelling")[0], terms(&stemmer, "swell")[0]);
        assert_eq!(
            terms(&stemmer, "Referral")[0],
            terms(&stemmer, "referral")[0]
        );
    }

    #[test]
    fn empty_texts_pair_with_nothing() {
        assert!(similar(&texts(&["", "  ", "words"]), 0.0).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn scores_are_symmetric_bounded_and_each_pair_is_listed_once(
            cards in proptest::collection::vec("[a-d ]{0,12}", 0..12),
        ) {
            let pairs = similar(&cards, 0.0);
            let mut seen = std::collections::HashSet::new();
            let order: Vec<(usize, usize)> = pairs.iter().map(|p| (p.second, p.first)).collect();
            proptest::prop_assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", order);
            for pair in &pairs {
                proptest::prop_assert!(pair.first < pair.second);
                proptest::prop_assert!((0.0..=1.0).contains(&pair.score));
                proptest::prop_assert!(seen.insert((pair.first, pair.second)));
            }
        }
    }
}
