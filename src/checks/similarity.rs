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

/// Every pair of `texts` whose similarity is at least `threshold`, each pair once with
/// `first < second`, in index order.
pub fn similar_pairs(texts: &[String], threshold: f64) -> Vec<SimilarPair> {
    let stemmer = Stemmer::create(Algorithm::English);
    // Identical texts (after stemming and case) are one representative plus copies.
    let mut representative_of: HashMap<Vec<String>, usize> = HashMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut documents: Vec<(usize, Vec<String>)> = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let terms = terms(&stemmer, text);
        if terms.is_empty() {
            continue;
        }
        match representative_of.get(&terms) {
            Some(&first) => copies.push((first, index)),
            None => {
                representative_of.insert(terms.clone(), index);
                documents.push((index, terms));
            }
        }
    }
    drop(representative_of);

    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for (_, terms) in &documents {
        let mut unique: Vec<&str> = terms.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        for term in unique {
            *document_frequency.entry(term).or_default() += 1;
        }
    }
    let count = documents.len() as f64;
    // Smoothed IDF, as scikit-learn computes it: a word in every text still weighs 1.
    let idf = |term: &str| ((1.0 + count) / (1.0 + document_frequency[term] as f64)).ln() + 1.0;

    // Each document as unit-length (term, weight) pairs, weights = term count × IDF.
    let vectors: Vec<Vec<(&str, f64)>> = documents
        .iter()
        .map(|(_, terms)| {
            let mut counts: HashMap<&str, f64> = HashMap::new();
            for term in terms {
                *counts.entry(term.as_str()).or_default() += 1.0;
            }
            let mut vector: Vec<(&str, f64)> =
                counts.into_iter().map(|(t, n)| (t, n * idf(t))).collect();
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            for (_, weight) in &mut vector {
                *weight /= norm;
            }
            vector
        })
        .collect();

    let mut postings: HashMap<&str, Vec<(usize, f64)>> = HashMap::new();
    let mut pairs = Vec::new();
    let mut scores: HashMap<usize, f64> = HashMap::new();
    for (doc, vector) in vectors.iter().enumerate() {
        // Dot products with every earlier document that shares a usable term.
        scores.clear();
        for &(term, weight) in vector {
            if document_frequency[term] > MAX_POSTINGS {
                continue;
            }
            if let Some(list) = postings.get(term) {
                for &(other, other_weight) in list {
                    *scores.entry(other).or_default() += weight * other_weight;
                }
            }
        }
        for (&other, &score) in &scores {
            if score >= threshold {
                let (a, b) = (documents[other].0, documents[doc].0);
                pairs.push(SimilarPair {
                    first: a.min(b),
                    second: a.max(b),
                    score: score.min(1.0),
                });
            }
        }
        for &(term, weight) in vector {
            if document_frequency[term] <= MAX_POSTINGS {
                postings.entry(term).or_default().push((doc, weight));
            }
        }
    }
    pairs.extend(copies.into_iter().map(|(first, second)| SimilarPair {
        first,
        second,
        score: 1.0,
    }));
    pairs.sort_by_key(|pair| (pair.first, pair.second));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn rewordings_of_one_fact_score_high_and_different_facts_low() {
        let cards = texts(&[
            "A client with heat-sensitive multiple sclerosis asks for hot stone massage",
            "Hot stone massage for a client whose multiple sclerosis is heat sensitive",
            "A client with rheumatoid arthritis has a hot, swollen knee today",
            "Which drug class raises the risk of shingles in rheumatoid arthritis?",
        ]);
        let pairs = similar_pairs(&cards, 0.3);
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
        let pairs = similar_pairs(&cards, 0.99);
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
        assert!(similar_pairs(&texts(&["", "  ", "words"]), 0.0).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn scores_are_symmetric_bounded_and_each_pair_is_listed_once(
            cards in proptest::collection::vec("[a-d ]{0,12}", 0..12),
        ) {
            let pairs = similar_pairs(&cards, 0.0);
            let mut seen = std::collections::HashSet::new();
            for pair in &pairs {
                proptest::prop_assert!(pair.first < pair.second);
                proptest::prop_assert!((0.0..=1.0).contains(&pair.score));
                proptest::prop_assert!(seen.insert((pair.first, pair.second)));
            }
        }
    }
}
