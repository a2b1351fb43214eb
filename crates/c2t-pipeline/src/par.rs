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

/// The items of `iter` in vectors of `size` (the last one shorter, none empty): how a reading
/// thread hands rows to the threads that work on them.
pub fn batches<I: Iterator>(iter: I, size: usize) -> impl Iterator<Item = Vec<I::Item>> {
    let mut iter = iter.fuse();
    std::iter::from_fn(move || {
        let batch: Vec<I::Item> = iter.by_ref().take(size).collect();
        (!batch.is_empty()).then_some(batch)
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
    fn batches_cut_every_size_items() {
        let b: Vec<Vec<u32>> = super::batches(0..7, 3).collect();
        assert_eq!(b, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert_eq!(super::batches(0..0, 3).count(), 0);
    }
}
