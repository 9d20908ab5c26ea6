//! pytest's `reorder_items` (the fixtures plugin's `pytest_collection_modifyitems`):
//! the session's items regrouped so that each parameter of a class, module, package or
//! session scope is set up as few times as possible. Discovery proves each item's
//! scoped parameters (`RunSpec::scoped_params`); this pass orders the session's items
//! by them exactly as pytest 9.2 does, so such files need no import.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::item::{Item, ParamScope};

/// pytest's `HIGH_SCOPES`, widest first: the order `reorder_items_atscope` descends.
const LEVELS: [ParamScope; 4] = [
    ParamScope::Session,
    ParamScope::Package,
    ParamScope::Module,
    ParamScope::Class,
];

/// Whether some item has a parameter above function scope (else the order stands).
pub fn has_scoped_params(items: &[Item]) -> bool {
    items
        .iter()
        .any(|i| i.run.as_ref().is_some_and(|r| !r.scoped_params.is_empty()))
}

/// Whether some item has a parameter shared across modules (package or session scope).
pub fn has_cross_module_params(items: &[Item]) -> bool {
    items.iter().any(|i| {
        i.run.as_ref().is_some_and(|r| {
            r.scoped_params
                .iter()
                .any(|p| matches!(p.scope, ParamScope::Package | ParamScope::Session))
        })
    })
}

/// The items in pytest's `reorder_items` order.
pub fn reorder_items(items: Vec<Item>) -> Vec<Item> {
    if items.len() < 3 || !has_scoped_params(&items) {
        return items;
    }
    let mut state = State::new(&items);
    let order = state.at_level((0..items.len()).collect(), 0);
    let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// pytest's `ParamArgKey` at one scope: the parameter's name and value key, with the
/// directory (package), file (module, class) and class node it is shared within.
#[derive(Hash, PartialEq, Eq)]
struct ArgKey<'a> {
    argname: &'a str,
    value: &'a str,
    path: Option<&'a str>,
    class: Option<&'a str>,
}

struct State {
    /// Per level, per item: its keys in `callspec` order, without repeats.
    keys_of: Vec<Vec<Vec<usize>>>,
    /// Per level, per key: the items holding it with their position stamps (pytest's
    /// `OrderedDict`: a smaller stamp comes first; moving to the front takes a new
    /// smallest one).
    items_of: Vec<Vec<HashMap<usize, i64>>>,
    front: i64,
}

impl State {
    fn new(items: &[Item]) -> Self {
        let mut keys_of = Vec::with_capacity(LEVELS.len());
        let mut items_of = Vec::with_capacity(LEVELS.len());
        for scope in LEVELS {
            let mut ids: HashMap<ArgKey<'_>, usize> = HashMap::new();
            let mut holders: Vec<HashMap<usize, i64>> = Vec::new();
            let mut per_item = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let mut keys: Vec<usize> = Vec::new();
                for p in item.run.iter().flat_map(|r| &r.scoped_params) {
                    if p.scope != scope {
                        continue;
                    }
                    let key = arg_key(item, &p.argname, &p.value, scope);
                    let next = ids.len();
                    let id = *ids.entry(key).or_insert(next);
                    if id == holders.len() {
                        holders.push(HashMap::new());
                    }
                    if !keys.contains(&id) {
                        keys.push(id);
                        let stamp = i64::try_from(index).unwrap_or(i64::MAX);
                        if let Some(h) = holders.get_mut(id) {
                            h.insert(index, stamp);
                        }
                    }
                }
                per_item.push(keys);
            }
            keys_of.push(per_item);
            items_of.push(holders);
        }
        Self {
            keys_of,
            items_of,
            front: 0,
        }
    }

    fn keys(&self, level: usize, item: usize) -> &[usize] {
        self.keys_of
            .get(level)
            .and_then(|k| k.get(item))
            .map_or(&[], Vec::as_slice)
    }

    /// pytest's `reorder_items_atscope` over `items` (an ordered set) at `level`.
    fn at_level(&mut self, items: Vec<usize>, level: usize) -> Vec<usize> {
        if level >= LEVELS.len() || items.len() < 3 {
            return items;
        }
        let batch: HashSet<usize> = items.iter().copied().collect();
        let mut ignore: HashSet<usize> = HashSet::new();
        let mut deque: VecDeque<usize> = items.into();
        let mut done: Vec<usize> = Vec::new();
        let mut done_set: HashSet<usize> = HashSet::new();
        while !deque.is_empty() {
            let mut keyless: Vec<usize> = Vec::new();
            let mut keyless_set: HashSet<usize> = HashSet::new();
            let mut slicing: Option<usize> = None;
            while let Some(item) = deque.pop_front() {
                if done_set.contains(&item) || keyless_set.contains(&item) {
                    continue;
                }
                // `dict.popitem()`: the item's last key not yet sliced by.
                let key = self
                    .keys(level, item)
                    .iter()
                    .rev()
                    .find(|k| !ignore.contains(k))
                    .copied();
                let Some(key) = key else {
                    keyless.push(item);
                    keyless_set.insert(item);
                    continue;
                };
                slicing = Some(key);
                let mut matching: Vec<(i64, usize)> = self
                    .items_of
                    .get(level)
                    .and_then(|h| h.get(key))
                    .map(|h| {
                        h.iter()
                            .filter(|(i, _)| batch.contains(i))
                            .map(|(i, s)| (*s, *i))
                            .collect()
                    })
                    .unwrap_or_default();
                matching.sort_unstable();
                for &(_, i) in matching.iter().rev() {
                    deque.push_front(i);
                    // pytest moves the item to the front of every key's holders, at
                    // every level.
                    self.front -= 1;
                    for other in 0..LEVELS.len() {
                        let keys: Vec<usize> = self.keys(other, i).to_vec();
                        for k in keys {
                            if let Some(h) = self.items_of.get_mut(other).and_then(|h| h.get_mut(k))
                            {
                                h.insert(i, self.front);
                            }
                        }
                    }
                }
                break;
            }
            if !keyless.is_empty() {
                for i in self.at_level(keyless, level + 1) {
                    if done_set.insert(i) {
                        done.push(i);
                    }
                }
            }
            if let Some(k) = slicing {
                ignore.insert(k);
            }
        }
        done
    }
}

fn arg_key<'a>(item: &'a Item, argname: &'a str, value: &'a str, scope: ParamScope) -> ArgKey<'a> {
    let file = item.file_part();
    let (path, class) = match scope {
        ParamScope::Session => (None, None),
        ParamScope::Package => (Some(file.rsplit_once('/').map_or("", |(dir, _)| dir)), None),
        ParamScope::Module => (Some(file), None),
        ParamScope::Class => (Some(file), class_of(item)),
    };
    ArgKey {
        argname,
        value,
        path,
        class,
    }
}

/// The node id of the class that collected the item (pytest's `item.cls`), if any.
fn class_of(item: &Item) -> Option<&str> {
    use crate::item::NodeKind;
    let depth = item.chain.iter().rposition(|n| n.kind == NodeKind::Class)?;
    // The chain's part below the module: `file::A::B::test` has its classes at the
    // node id's `::` separators in order.
    let module = item.chain.iter().position(|n| n.kind == NodeKind::Module)?;
    let levels = depth.checked_sub(module)?;
    let mut end = 0;
    for _ in 0..=levels {
        end += item.nodeid.get(end..)?.find("::")? + 2;
    }
    item.nodeid.get(..end - 2)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::item::{ChainNode, NodeKind, RunSpec, ScopedParam};

    fn item(nodeid: &str, params: &[(&str, &str, ParamScope)]) -> Item {
        let mut parts = nodeid.split("::");
        let file = parts.next().unwrap();
        let mut chain = vec![ChainNode::new(NodeKind::Module, file)];
        let rest: Vec<&str> = parts.collect();
        for (i, p) in rest.iter().enumerate() {
            let kind = if i + 1 == rest.len() {
                NodeKind::Function
            } else {
                NodeKind::Class
            };
            chain.push(ChainNode::new(kind, *p));
        }
        Item {
            nodeid: nodeid.into(),
            chain,
            lineno: None,
            marks: vec![],
            extra_keywords: vec![],
            run: Some(RunSpec {
                callspec: vec![],
                external_fixtures: vec![],
                fixtures: vec![],
                pytest_machinery: None,
                added_marks: vec![],
                isolated: false,
                scoped_params: params
                    .iter()
                    .map(|(a, v, s)| ScopedParam {
                        argname: (*a).into(),
                        value: (*v).into(),
                        scope: *s,
                    })
                    .collect(),
            }),
        }
    }

    fn ids(items: Vec<Item>) -> Vec<String> {
        reorder_items(items).into_iter().map(|i| i.nodeid).collect()
    }

    #[test]
    fn a_module_parameter_groups_its_modules_items_by_value() {
        use ParamScope::Module;
        let items = vec![
            item("t.py::test_a[1]", &[("n", "int:1", Module)]),
            item("t.py::test_a[2]", &[("n", "int:2", Module)]),
            item("t.py::test_b[1]", &[("n", "int:1", Module)]),
            item("t.py::test_b[2]", &[("n", "int:2", Module)]),
        ];
        assert_eq!(
            ids(items),
            [
                "t.py::test_a[1]",
                "t.py::test_b[1]",
                "t.py::test_a[2]",
                "t.py::test_b[2]"
            ]
        );
    }

    #[test]
    fn a_session_parameter_interleaves_modules() {
        use ParamScope::Session;
        let items = vec![
            item("a.py::t[x]", &[("s", "str:'x'", Session)]),
            item("a.py::t[y]", &[("s", "str:'y'", Session)]),
            item("a.py::plain", &[]),
            item("b.py::t[x]", &[("s", "str:'x'", Session)]),
            item("b.py::t[y]", &[("s", "str:'y'", Session)]),
        ];
        assert_eq!(
            ids(items),
            [
                "a.py::t[x]",
                "b.py::t[x]",
                "a.py::t[y]",
                "b.py::t[y]",
                "a.py::plain"
            ]
        );
    }

    #[test]
    fn class_keys_are_per_class_and_fewer_than_three_items_stand() {
        use ParamScope::Class;
        let items = vec![
            item("t.py::T::test_a[1]", &[("c", "int:1", Class)]),
            item("t.py::T::test_a[2]", &[("c", "int:2", Class)]),
        ];
        assert_eq!(ids(items), ["t.py::T::test_a[1]", "t.py::T::test_a[2]"]);
        let items = vec![
            item("t.py::T::test_a[1]", &[("c", "int:1", Class)]),
            item("t.py::T::test_a[2]", &[("c", "int:2", Class)]),
            item("t.py::U::test_a[1]", &[("c", "int:1", Class)]),
            item("t.py::T::test_b[1]", &[("c", "int:1", Class)]),
        ];
        assert_eq!(
            ids(items),
            [
                "t.py::T::test_a[1]",
                "t.py::T::test_b[1]",
                "t.py::T::test_a[2]",
                "t.py::U::test_a[1]"
            ]
        );
        let it = item("t.py::A::B::test", &[]);
        assert_eq!(class_of(&it), Some("t.py::A::B"));
    }
}
