//! Work split between two threads (the machines crm2twenty is tuned for have two cores), with
//! results in the order of the input, so output never depends on which thread was faster.

/// `f` of every item, computed half on another thread and half on this one, in item order.
pub fn map<'a, T: Sync, U: Send>(items: &'a [T], f: impl Fn(&'a T) -> U + Sync) -> Vec<U> {
    if items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (mut a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| first.iter().map(&f).collect::<Vec<U>>());
        let b: Vec<U> = second.iter().map(&f).collect();
        (h.join().expect("worker thread"), b)
    });
    a.extend(b);
    a
}

/// `f` of every item, in item order, computed on two threads that each take the next item not
/// yet taken: for items of very uneven cost, where halves would leave one thread idle. Put the
/// costliest items first.
pub fn map_uneven<'a, T: Sync, U: Send>(items: &'a [T], f: impl Fn(&'a T) -> U + Sync) -> Vec<U> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    if items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(work);
        let b = work();
        (h.join().expect("worker thread"), b)
    });
    let mut slots: Vec<Option<U>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, u) in a.into_iter().chain(b) {
        slots[i] = Some(u);
    }
    slots
        .into_iter()
        .map(|u| u.expect("every item was taken"))
        .collect()
}

/// Rows per batch a reading thread hands to the threads that work on them, and the bytes of
/// cells after which a batch ends sooner (rows of long notes): with a handful of batches in
/// flight, what waits between threads stays within a few megabytes.
pub const BATCH_ROWS: usize = 1024;
pub const BATCH_BYTES: usize = 1 << 20;

/// The items of `iter` in vectors of `size` (the last one shorter, none empty): how a reading
/// thread hands rows to the threads that work on them.
pub fn batches<I: Iterator>(iter: I, size: usize) -> impl Iterator<Item = Vec<I::Item>> {
    batches_weighed(iter, size, usize::MAX, |_| 0)
}

/// As [`batches`], a batch also ending once its items weigh `budget` or more (as `weight` says;
/// a batch holds one item at least): rows of a few hundred bytes go by `size`, rows of long
/// notes by their bytes, so that the batches in flight between threads hold a bounded amount
/// of memory whatever the rows hold.
pub fn batches_weighed<I: Iterator>(
    iter: I,
    size: usize,
    budget: usize,
    weight: impl Fn(&I::Item) -> usize,
) -> impl Iterator<Item = Vec<I::Item>> {
    let mut iter = iter.fuse();
    std::iter::from_fn(move || {
        let mut batch: Vec<I::Item> = Vec::new();
        let mut weighed = 0usize;
        while batch.len() < size && weighed < budget {
            let Some(item) = iter.next() else { break };
            weighed = weighed.saturating_add(weight(&item));
            batch.push(item);
        }
        (!batch.is_empty()).then_some(batch)
    })
}

/// `items` cut into consecutive runs weighing at most `budget` each (as `weight` says; a run
/// holds one item at least, however heavy).
pub fn runs<T>(
    items: &[T],
    budget: usize,
    weight: impl Fn(&T) -> usize,
) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut weighed = 0usize;
        let mut end = 0;
        while end < rest.len() {
            let w = weight(&rest[end]);
            if end > 0 && weighed.saturating_add(w) > budget {
                break;
            }
            weighed = weighed.saturating_add(w);
            end += 1;
        }
        let (run, after) = rest.split_at(end);
        rest = after;
        Some(run)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1001).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&[7u8], |x| *x), vec![7]);
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn uneven_work_keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1001).collect();
        // Some items cost far more than others; results still come back in item order.
        let slow = |x: &u64| {
            (0..(x % 7) * 1000).fold(*x, |a, b| a.wrapping_add(b % 3))
                - (0..(x % 7) * 1000).map(|b| b % 3).sum::<u64>()
        };
        assert_eq!(super::map_uneven(&items, slow), items);
        assert_eq!(super::map_uneven(&[7u8], |x| *x), vec![7]);
        assert!(super::map_uneven(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn batches_cut_every_size_items() {
        let b: Vec<Vec<u32>> = super::batches(0..7, 3).collect();
        assert_eq!(b, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert_eq!(super::batches(0..0, 3).count(), 0);
    }

    #[test]
    fn batches_also_end_at_their_weight() {
        // Weights 1 1 5 1 1 1 1 with room for 3 items or a weight of 3.
        let w = [1usize, 1, 5, 1, 1, 1, 1];
        let b: Vec<Vec<usize>> = super::batches_weighed(0..w.len(), 3, 3, |&i| w[i]).collect();
        assert_eq!(b, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        let b: Vec<Vec<usize>> = super::batches_weighed(0..w.len(), 10, 2, |&i| w[i]).collect();
        assert_eq!(b, vec![vec![0, 1], vec![2], vec![3, 4], vec![5, 6]]);
    }

    #[test]
    fn runs_weigh_at_most_the_budget_unless_one_item_is_heavier() {
        let items = [1usize, 2, 7, 1, 1, 3, 2];
        let runs: Vec<&[usize]> = super::runs(&items, 4, |&w| w).collect();
        assert_eq!(runs, vec![&[1, 2][..], &[7], &[1, 1], &[3], &[2]]);
        assert_eq!(runs.concat(), items);
        assert_eq!(super::runs(&[] as &[usize], 4, |&w| w).count(), 0);
        assert_eq!(super::runs(&items, usize::MAX, |&w| w).count(), 1);
    }
}
