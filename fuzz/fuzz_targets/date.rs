//! Dates and date-times: never panics; a cleaned date reads back to itself in every order, a
//! cleaned date-time in its own; column inference takes any samples.
#![no_main]
use c2t_normalize::{DateOrder, date, datetime};
use libfuzzer_sys::fuzz_target;

const ORDERS: [DateOrder; 3] = [DateOrder::DayFirst, DateOrder::MonthFirst, DateOrder::YearFirst];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let order = ORDERS[usize::from(pick) % 3];
    let s = c2t_fuzz::text(rest);
    if let Ok(d) = date(&s, order) {
        for other in ORDERS {
            assert_eq!(date(&d, other).as_ref(), Ok(&d), "input {s:?} order {order:?}");
        }
    }
    if let Ok(dt) = datetime(&s, order) {
        assert_eq!(datetime(&dt, order).as_ref(), Ok(&dt), "input {s:?} order {order:?}");
    }
    let samples: Vec<&str> = s.split('\n').collect();
    let _ = c2t_normalize::date::infer(&samples, pick & 0x80 != 0);
});
