//! Every workqueue rule (client-go's `util/workqueue` semantics), one test each, and a property
//! test over random interleavings of adds, gets and dones from several tasks.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube_controller::workqueue::{
    BucketRateLimiter, DelayingQueue, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, Queue, RateLimiter,
    RateLimitingQueue, default_controller_rate_limiter,
};
use proptest::prelude::*;
use tokio::time::Instant;

#[tokio::test]
async fn an_item_added_twice_before_it_is_taken_is_handed_out_once() {
    let q = Queue::new();
    q.add("a");
    q.add("b");
    q.add("a");
    assert_eq!(q.len(), 2);
    assert_eq!(q.get().await, Some("a"));
    assert_eq!(q.get().await, Some("b"));
    assert!(q.is_empty());
    q.done(&"a");
    q.done(&"b");
    assert!(q.is_empty(), "done must not requeue an item that was not added again");
}

#[tokio::test]
async fn items_come_out_in_the_order_first_added() {
    let q = Queue::new();
    for i in [3, 1, 2, 1, 3] {
        q.add(i);
    }
    let mut out = Vec::new();
    while !q.is_empty() {
        out.push(q.get().await.unwrap());
    }
    assert_eq!(out, [3, 1, 2]);
}

#[tokio::test]
async fn an_item_added_while_processed_is_queued_again_only_after_done() {
    let q = Queue::new();
    q.add("a");
    let a = q.get().await.unwrap();
    q.add("a");
    q.add("a");
    assert_eq!(q.len(), 0, "an item being processed is not handed to another worker");
    assert_eq!(q.processing(), 1);
    // A second worker waiting for work gets nothing while the first holds "a".
    let second = tokio::time::timeout(Duration::from_millis(50), q.get()).await;
    assert!(second.is_err(), "a second worker got {second:?}");
    q.done(&a);
    assert_eq!(q.len(), 1, "added while processed: queued again (once) on done");
    assert_eq!(q.get().await, Some("a"));
    q.done(&"a");
    assert!(q.is_empty());
    assert_eq!(q.processing(), 0);
}

#[tokio::test]
async fn get_waits_for_an_add() {
    let q = Queue::new();
    let waiter = tokio::spawn({
        let q = q.clone();
        async move { q.get().await }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiter.is_finished());
    q.add(7);
    assert_eq!(waiter.await.unwrap(), Some(7));
}

#[tokio::test]
async fn every_waiting_worker_is_woken_by_its_own_add() {
    let q = Queue::new();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let q = q.clone();
            tokio::spawn(async move { q.get().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    for i in 0..4 {
        q.add(i);
    }
    let mut got: Vec<i32> = Vec::new();
    for w in workers {
        got.push(
            tokio::time::timeout(Duration::from_secs(5), w)
                .await
                .unwrap()
                .unwrap()
                .unwrap(),
        );
    }
    got.sort();
    assert_eq!(got, [0, 1, 2, 3]);
}

#[tokio::test]
async fn shut_down_hands_out_what_is_queued_then_none_and_ignores_adds() {
    let q = Queue::new();
    let idle = tokio::spawn({
        let q = q.clone();
        async move {
            // Takes "a", then waits: shutdown must wake it with None.
            let first = q.get().await;
            let second = q.get().await;
            (first, second)
        }
    });
    q.add("a");
    tokio::time::sleep(Duration::from_millis(20)).await;
    q.add("b");
    q.add("c");
    let (first, second) = idle.await.unwrap();
    assert_eq!((first, second), (Some("a"), Some("b")));
    q.shut_down();
    assert!(q.shutting_down());
    q.add("d");
    assert_eq!(q.get().await, Some("c"), "queued items are still handed out");
    assert_eq!(q.get().await, None);
    let waiter = tokio::spawn({
        let q = q.clone();
        async move { q.get().await }
    });
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn shutdown_wakes_a_waiting_worker() {
    let q: Queue<u8> = Queue::new();
    let waiter = tokio::spawn({
        let q = q.clone();
        async move { q.get().await }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    q.shut_down();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn shut_down_with_drain_waits_for_items_being_processed() {
    let q = Queue::new();
    q.add(1);
    q.add(2);
    let one = q.get().await.unwrap();
    let two = q.get().await.unwrap();
    let drain = tokio::spawn({
        let q = q.clone();
        async move { q.shut_down_with_drain().await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!drain.is_finished(), "drain returned while two items were held");
    q.done(&one);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!drain.is_finished(), "drain returned while one item was held");
    q.add(3);
    assert_eq!(q.len(), 0, "adds during the drain are ignored");
    q.done(&two);
    tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q.get().await, None);
}

#[tokio::test]
async fn shut_down_with_drain_returns_at_once_when_nothing_is_held() {
    let q: Queue<u8> = Queue::new();
    tokio::time::timeout(Duration::from_secs(5), q.shut_down_with_drain())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn add_after_makes_an_item_ready_once_its_delay_passed() {
    let q = DelayingQueue::new();
    let start = Instant::now();
    q.add_after("a", Duration::from_millis(100));
    assert_eq!((q.len(), q.waiting()), (0, 1));
    tokio::time::sleep(Duration::from_millis(99)).await;
    assert_eq!(q.len(), 0);
    assert_eq!(q.get().await, Some("a"));
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(q.waiting(), 0);
}

#[tokio::test(start_paused = true)]
async fn add_after_with_no_delay_adds_at_once() {
    let q = DelayingQueue::new();
    q.add_after(1, Duration::ZERO);
    assert_eq!((q.len(), q.waiting()), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn the_earliest_ready_time_wins_for_an_item_added_twice() {
    let q = DelayingQueue::new();
    let start = Instant::now();
    q.add_after("late-then-early", Duration::from_secs(10));
    q.add_after("late-then-early", Duration::from_secs(1));
    q.add_after("early-then-late", Duration::from_secs(2));
    q.add_after("early-then-late", Duration::from_secs(20));
    assert_eq!(q.waiting(), 2);
    assert_eq!(q.get().await, Some("late-then-early"));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(q.get().await, Some("early-then-late"));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    q.done(&"late-then-early");
    q.done(&"early-then-late");
    // The superseded ready times (10 s, 20 s) add nothing.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!((q.len(), q.waiting()), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn delayed_items_come_out_in_ready_order() {
    let q = DelayingQueue::new();
    for (item, ms) in [(1, 300), (2, 100), (3, 200), (4, 50)] {
        q.add_after(item, Duration::from_millis(ms));
    }
    let mut out = Vec::new();
    for _ in 0..4 {
        let item = q.get().await.unwrap();
        q.done(&item);
        out.push(item);
    }
    assert_eq!(out, [4, 2, 3, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_delayed_item_already_queued_is_not_queued_twice() {
    let q = DelayingQueue::new();
    q.add("a");
    q.add_after("a", Duration::from_millis(10));
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(q.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn shutdown_drops_waiting_items() {
    let q = DelayingQueue::new();
    q.add_after("a", Duration::from_millis(10));
    q.shut_down();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(q.get().await, None);
    q.add_after("b", Duration::from_millis(1));
    assert_eq!(q.waiting(), 0, "add_after after shutdown is ignored");
}

#[test]
fn item_exponential_backoff_doubles_from_base_to_max_per_item() {
    let l = ItemExponentialFailureRateLimiter::new(Duration::from_millis(5), Duration::from_secs(1000));
    let waits: Vec<Duration> = (0..5).map(|_| l.when(&"a")).collect();
    assert_eq!(
        waits,
        [5, 10, 20, 40, 80].map(Duration::from_millis),
        "client-go: base * 2^failures"
    );
    assert_eq!(l.when(&"b"), Duration::from_millis(5), "items back off independently");
    assert_eq!(l.num_requeues(&"a"), 5);
    for _ in 0..30 {
        l.when(&"a");
    }
    assert_eq!(l.when(&"a"), Duration::from_secs(1000), "capped at max");
    for _ in 0..2000 {
        l.when(&"a");
    }
    assert_eq!(l.when(&"a"), Duration::from_secs(1000), "no overflow far past the cap");
    l.forget(&"a");
    assert_eq!(l.num_requeues(&"a"), 0);
    assert_eq!(
        l.when(&"a"),
        Duration::from_millis(5),
        "forget starts from the base again"
    );
}

#[tokio::test(start_paused = true)]
async fn the_token_bucket_allows_a_burst_then_its_rate() {
    let l = BucketRateLimiter::new(10.0, 100);
    for i in 0..100 {
        assert_eq!(RateLimiter::<u32>::when(&l, &i), Duration::ZERO, "burst token {i}");
    }
    // Reservations ahead of the bucket: 100 ms, 200 ms, ... (x/time/rate's Reserve().Delay()).
    assert_eq!(RateLimiter::<u32>::when(&l, &100), Duration::from_millis(100));
    assert_eq!(RateLimiter::<u32>::when(&l, &101), Duration::from_millis(200));
    assert_eq!(RateLimiter::<u32>::num_requeues(&l, &100), 0);
    tokio::time::sleep(Duration::from_secs(1)).await;
    // 1 s earned 10 tokens, 2 of them were already spent ahead.
    let free = (0..20)
        .take_while(|i| RateLimiter::<u32>::when(&l, i) == Duration::ZERO)
        .count();
    assert_eq!(free, 8);
}

#[tokio::test(start_paused = true)]
async fn max_of_takes_the_longest_wait_and_forgets_in_all() {
    let l = MaxOfRateLimiter::new(vec![
        Box::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(1),
            Duration::from_secs(1),
        )),
        Box::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(3),
            Duration::from_millis(10),
        )),
    ]);
    assert_eq!(l.when(&"a"), Duration::from_millis(3));
    assert_eq!(l.when(&"a"), Duration::from_millis(6));
    assert_eq!(l.when(&"a"), Duration::from_millis(10));
    assert_eq!(l.when(&"a"), Duration::from_millis(10));
    assert_eq!(l.when(&"a"), Duration::from_millis(16));
    assert_eq!(l.num_requeues(&"a"), 5);
    l.forget(&"a");
    assert_eq!(l.num_requeues(&"a"), 0);
    assert_eq!(l.when(&"a"), Duration::from_millis(3));
}

#[tokio::test(start_paused = true)]
async fn the_default_controller_limiter_is_5ms_exponential_and_10qps_burst_100() {
    let l = default_controller_rate_limiter::<u32>();
    assert_eq!(l.when(&0), Duration::from_millis(5));
    assert_eq!(l.when(&0), Duration::from_millis(10));
    // 98 more distinct items take the rest of the burst; each waits its own 5 ms.
    for i in 1..99 {
        assert_eq!(l.when(&i), Duration::from_millis(5));
    }
    // The bucket is empty: the next distinct item waits for a token (100 ms), not 5 ms.
    assert_eq!(l.when(&1000), Duration::from_millis(100));
    // An item failing for the 30th time waits the per-item cap of 1000 s.
    for _ in 0..40 {
        l.when(&7);
    }
    assert_eq!(l.when(&7), Duration::from_secs(1000));
}

#[tokio::test(start_paused = true)]
async fn rate_limited_adds_wait_longer_each_time_until_forgotten() {
    let q = RateLimitingQueue::new(ItemExponentialFailureRateLimiter::new(
        Duration::from_millis(5),
        Duration::from_secs(1),
    ));
    let mut waits = Vec::new();
    for _ in 0..4 {
        let start = Instant::now();
        q.add_rate_limited("a");
        let item = q.get().await.unwrap();
        waits.push(start.elapsed());
        q.done(&item);
    }
    assert_eq!(waits, [5, 10, 20, 40].map(Duration::from_millis));
    assert_eq!(q.num_requeues(&"a"), 4);
    q.forget(&"a");
    assert_eq!(q.num_requeues(&"a"), 0);
    let start = Instant::now();
    q.add_rate_limited("a");
    q.get().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(5));
}

/// A limiter written by a user (client-go's `RateLimiter` interface): a fixed wait per item
/// name, counted, forgotten on success. The queue waits as it says and asks it to forget.
#[derive(Default)]
struct PerNameLimiter {
    failures: Mutex<std::collections::HashMap<&'static str, u32>>,
}

impl RateLimiter<&'static str> for PerNameLimiter {
    fn when(&self, item: &&'static str) -> Duration {
        *self.failures.lock().unwrap().entry(item).or_default() += 1;
        Duration::from_millis(if item.starts_with("slow") { 300 } else { 7 })
    }
    fn forget(&self, item: &&'static str) {
        self.failures.lock().unwrap().remove(item);
    }
    fn num_requeues(&self, item: &&'static str) -> u32 {
        self.failures.lock().unwrap().get(item).copied().unwrap_or(0)
    }
}

#[tokio::test(start_paused = true)]
async fn a_user_written_limiter_decides_the_waits() {
    let q = RateLimitingQueue::new(PerNameLimiter::default());
    let start = Instant::now();
    q.add_rate_limited("slow-one");
    q.add_rate_limited("fast-one");
    assert_eq!(q.get().await, Some("fast-one"));
    assert_eq!(start.elapsed(), Duration::from_millis(7));
    assert_eq!(q.get().await, Some("slow-one"));
    assert_eq!(start.elapsed(), Duration::from_millis(300));
    q.add_rate_limited("fast-one");
    assert_eq!(q.num_requeues(&"fast-one"), 2);
    q.forget(&"fast-one");
    assert_eq!(q.num_requeues(&"fast-one"), 0);
    assert_eq!(q.num_requeues(&"slow-one"), 1);
}

#[tokio::test(start_paused = true)]
async fn the_default_rate_limiting_queue_uses_the_controller_limiter() {
    let q: RateLimitingQueue<&str> = RateLimitingQueue::default();
    let start = Instant::now();
    q.add_rate_limited("a");
    assert_eq!(q.len(), 0);
    assert_eq!(q.get().await, Some("a"));
    assert_eq!(start.elapsed(), Duration::from_millis(5));
}

/// One run of the property: `producers` tasks add items from their scripts (yielding where the
/// script says), `workers` tasks take, hold (yielding) and finish them.
async fn interleave(workers: usize, scripts: Vec<Vec<(u8, u8)>>, hold: Vec<u8>) {
    let q: Queue<u8> = Queue::new();
    let clock = Arc::new(AtomicU64::new(0));
    // Per item: the clock at its last add, and at each time a worker took it.
    let last_add = Arc::new(Mutex::new([0u64; 256]));
    let taken = Arc::new(Mutex::new(vec![Vec::<u64>::new(); 256]));
    let holding = Arc::new(Mutex::new(HashSet::new()));
    let hold = Arc::new(hold);

    let mut worker_tasks = Vec::new();
    for w in 0..workers {
        let (q, clock, taken, holding, hold) = (q.clone(), clock.clone(), taken.clone(), holding.clone(), hold.clone());
        worker_tasks.push(tokio::spawn(async move {
            let mut n = w;
            while let Some(item) = q.get().await {
                let at = clock.fetch_add(1, Ordering::SeqCst) + 1;
                assert!(
                    holding.lock().unwrap().insert(item),
                    "item {item} held by two workers at once"
                );
                taken.lock().unwrap()[item as usize].push(at);
                for _ in 0..hold[n % hold.len()] {
                    tokio::task::yield_now().await;
                }
                n += 1;
                assert!(holding.lock().unwrap().remove(&item));
                q.done(&item);
            }
        }));
    }
    let mut producer_tasks = Vec::new();
    for script in scripts {
        let (q, clock, last_add) = (q.clone(), clock.clone(), last_add.clone());
        producer_tasks.push(tokio::spawn(async move {
            for (item, pause) in script {
                // The clock is read before the add: a take that sees this add reads a later one.
                let at = clock.fetch_add(1, Ordering::SeqCst) + 1;
                {
                    let mut last = last_add.lock().unwrap();
                    last[item as usize] = last[item as usize].max(at);
                }
                q.add(item);
                for _ in 0..pause {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for p in producer_tasks {
        p.await.unwrap();
    }
    q.shut_down();
    for w in worker_tasks {
        w.await.unwrap();
    }
    let (last_add, taken) = (last_add.lock().unwrap(), taken.lock().unwrap());
    for item in 0..256 {
        if last_add[item] == 0 {
            assert!(taken[item].is_empty(), "item {item} taken but never added");
            continue;
        }
        assert!(
            taken[item].iter().any(|t| *t > last_add[item]),
            "item {item}: last added at {}, taken at {:?}",
            last_add[item],
            taken[item]
        );
    }
    assert_eq!((q.len(), q.processing()), (0, 0));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_item_is_held_twice_and_every_add_is_processed_after(
        workers in 1usize..6,
        scripts in prop::collection::vec(prop::collection::vec((0u8..12, 0u8..4), 1..60), 1..5),
        hold in prop::collection::vec(0u8..5, 1..8),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).build().unwrap();
        runtime.block_on(interleave(workers, scripts, hold));
    }
}
