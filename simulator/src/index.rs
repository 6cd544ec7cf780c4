//! Lookups by key over the services' record lists without scanning them.
//!
//! The services keep their records in plain `Vec`s that many modules push to, retain from and
//! read in order (the admin API lists them in that order), so the lists stay what they are and
//! an index sits beside each: [`PositionIndex`] maps a key (a UDID, a lower-case UPN...) to the
//! positions holding it. Nothing has to tell the index about a change. Records are only ever
//! appended or removed: before each lookup the index adds the records appended since it last
//! looked, and when the record it last indexed is no longer where it was (something was
//! removed), it rebuilds. Appends, the common case, cost O(1) each; removals are rare (an admin
//! deleting a device, a device checking out) and cost one pass. A fleet of 100,000 devices
//! then finds its user, its device record or its session in constant time, where a scan made
//! every request cost in proportion to the fleet.

use std::collections::HashMap;
use std::sync::Mutex;

/// How an index reads a record: its unique id (to notice removals) and its keys.
pub trait Keyed {
    /// The record's unique id.
    fn id(&self) -> &str;
    /// The keys the record is found by (already normalised, e.g. lower case).
    fn keys(&self, out: &mut Vec<String>);
}

#[derive(Debug, Default, Clone)]
struct Positions {
    by_key: HashMap<String, Vec<usize>>,
    /// How many records of the list are indexed.
    indexed: usize,
    /// The id of the last indexed record, to notice a removal before it.
    last_id: Option<String>,
}

impl Positions {
    fn rebuild<T: Keyed>(&mut self, items: &[T]) {
        self.by_key.clear();
        self.indexed = 0;
        self.last_id = None;
        self.extend(items);
    }

    fn extend<T: Keyed>(&mut self, items: &[T]) {
        let mut keys = Vec::new();
        for (i, item) in items.iter().enumerate().skip(self.indexed) {
            keys.clear();
            item.keys(&mut keys);
            for key in keys.drain(..) {
                self.by_key.entry(key).or_default().push(i);
            }
        }
        self.indexed = items.len();
        self.last_id = items.last().map(|item| item.id().to_string());
    }

    /// Whether the indexed records are still where they were.
    fn still_valid<T: Keyed>(&self, items: &[T]) -> bool {
        match (&self.last_id, self.indexed.checked_sub(1)) {
            (None, _) | (_, None) => self.indexed == 0,
            (Some(id), Some(last)) => items.get(last).is_some_and(|item| item.id() == id),
        }
    }
}

/// Positions of a list's records by key; see the module documentation.
#[derive(Debug, Default)]
pub struct PositionIndex {
    positions: Mutex<Positions>,
}

impl Clone for PositionIndex {
    fn clone(&self) -> Self {
        PositionIndex {
            positions: Mutex::new(self.lock().clone()),
        }
    }
}

impl PositionIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, Positions> {
        self.positions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The positions in `items` of the records with `key`, ascending. Callers still compare
    /// the record's field, so a record whose key field was edited in place is not misread.
    pub fn positions<T: Keyed>(&self, items: &[T], key: &str) -> Vec<usize> {
        let mut positions = self.lock();
        if !positions.still_valid(items) || items.len() < positions.indexed {
            positions.rebuild(items);
        } else if items.len() > positions.indexed {
            positions.extend(items);
        }
        positions.by_key.get(key).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Rec(String, String);

    impl Keyed for Rec {
        fn id(&self) -> &str {
            &self.0
        }
        fn keys(&self, out: &mut Vec<String>) {
            out.push(self.1.clone());
        }
    }

    fn rec(id: &str, key: &str) -> Rec {
        Rec(id.into(), key.into())
    }

    #[test]
    fn follows_appends_and_removals_it_was_not_told_about() {
        let index = PositionIndex::default();
        let mut items = vec![rec("1", "a"), rec("2", "b"), rec("3", "a")];
        assert_eq!(index.positions(&items, "a"), vec![0, 2]);
        items.push(rec("4", "a"));
        assert_eq!(index.positions(&items, "a"), vec![0, 2, 3]);
        items.retain(|r| r.0 != "2");
        assert_eq!(index.positions(&items, "a"), vec![0, 1, 2]);
        assert_eq!(index.positions(&items, "b"), Vec::<usize>::new());
        // The last record removed and another appended in its place: same length.
        items.pop();
        items.push(rec("5", "b"));
        assert_eq!(index.positions(&items, "b"), vec![2]);
        assert_eq!(index.positions(&items, "a"), vec![0, 1]);
        items.clear();
        assert!(index.positions(&items, "a").is_empty());
        items.push(rec("6", "a"));
        assert_eq!(index.positions(&items, "a"), vec![0]);
    }
}
