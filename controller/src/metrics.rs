//! Prometheus metrics, registered into a [`Registry`] the caller owns: client-go's workqueue
//! metrics, reconcile counts, leader status and per-informer list/watch figures.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `name` label of the workqueue metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct QueueLabels {
    name: String,
}

/// The labels of `controller_reconcile_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReconcileLabels {
    controller: String,
    result: &'static str,
}

/// The `controller` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ControllerLabels {
    controller: String,
}

/// The `name` label of the leader election metric (the lease's name).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct LeaseLabels {
    name: String,
}

/// The `informer` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InformerLabels {
    informer: String,
}

/// The labels of `informer_last_synced_resource_version_info`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InformerVersionLabels {
    informer: String,
    resource_version: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn duration_histogram() -> Histogram {
    // client-go's workqueue buckets: 10 ns to 10 s, by factors of ten.
    Histogram::new(exponential_buckets(1e-8, 10.0, 10))
}

fn reconcile_histogram() -> Histogram {
    // controller-runtime's reconcile_time_seconds buckets, roughly: 5 ms to about 80 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

/// Work in progress of one queue, read at scrape time.
pub(crate) trait InFlight: Send + Sync {
    /// Seconds of work in progress: summed over the items workers hold, and the longest.
    fn in_flight_seconds(&self) -> (f64, f64);
}

impl<T: std::hash::Hash + Eq + Clone + Send + Sync + 'static> InFlight for crate::workqueue::queue::Shared<T> {
    fn in_flight_seconds(&self) -> (f64, f64) {
        crate::workqueue::queue::Shared::in_flight_seconds(self)
    }
}

/// One informer's figures, read at scrape time.
type InformerProbe = Box<dyn Fn() -> Option<kube_informer::InformerStats> + Send + Sync>;

/// What the scrape-time collector reads.
#[derive(Default)]
struct Probes {
    queues: Mutex<Vec<(String, Weak<dyn InFlight>)>>,
    informers: Mutex<Vec<(String, InformerProbe)>>,
}

impl std::fmt::Debug for Probes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probes").finish_non_exhaustive()
    }
}

/// The metrics of this crate, registered into a caller's [`Registry`]. Cloning gives another
/// handle to the same metrics. Pass it to [`Queue::with_metrics`](crate::workqueue::Queue::with_metrics),
/// [`Controller::metrics`](crate::Controller::metrics),
/// [`LeaderElector::metrics`](crate::leaderelection::LeaderElector::metrics) and
/// [`watch_informer`](Self::watch_informer).
///
/// | metric | type | labels |
/// | --- | --- | --- |
/// | `workqueue_depth` | gauge | `name` |
/// | `workqueue_adds_total` | counter | `name` |
/// | `workqueue_queue_duration_seconds` | histogram | `name` |
/// | `workqueue_work_duration_seconds` | histogram | `name` |
/// | `workqueue_unfinished_work_seconds` | gauge | `name` |
/// | `workqueue_longest_running_processor_seconds` | gauge | `name` |
/// | `workqueue_retries_total` | counter | `name` |
/// | `controller_reconcile_total` | counter | `controller`, `result` (`success`, `requeue_after`, `error`, `panic`) |
/// | `controller_reconcile_errors_total` | counter | `controller` |
/// | `controller_reconcile_panics_total` | counter | `controller` |
/// | `controller_reconcile_time_seconds` | histogram | `controller` |
/// | `controller_active_workers` | gauge | `controller` |
/// | `leader_election_master_status` | gauge (1 leading, 0 not) | `name` |
/// | `informer_list_requests_total` | counter | `informer` |
/// | `informer_watch_requests_total` | counter | `informer` |
/// | `informer_relists_total` | counter | `informer` |
/// | `informer_events_applied_total` | counter | `informer` |
/// | `informer_objects_cached` | gauge | `informer` |
/// | `informer_last_synced_resource_version_info` | gauge (always 1) | `informer`, `resource_version` |
///
/// ```no_run
/// use prometheus_client::registry::Registry;
/// use kube_controller::{Metrics, workqueue::Queue};
///
/// let mut registry = Registry::default();
/// let metrics = Metrics::register(&mut registry);
/// let queue: Queue<String> = Queue::with_metrics("foos", &metrics);
/// let mut text = String::new();
/// prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Metrics {
    inner: Arc<Families>,
}

#[derive(Debug)]
struct Families {
    depth: Family<QueueLabels, Gauge>,
    adds: Family<QueueLabels, Counter>,
    queue_duration: HistogramFamily<QueueLabels>,
    work_duration: HistogramFamily<QueueLabels>,
    retries: Family<QueueLabels, Counter>,
    reconciles: Family<ReconcileLabels, Counter>,
    reconcile_errors: Family<ControllerLabels, Counter>,
    reconcile_panics: Family<ControllerLabels, Counter>,
    reconcile_time: HistogramFamily<ControllerLabels>,
    active_workers: Family<ControllerLabels, Gauge>,
    leader: Family<LeaseLabels, Gauge>,
    probes: Arc<Probes>,
}

impl Metrics {
    /// Registers every metric of this crate into `registry` (once per registry: the names would
    /// clash).
    pub fn register(registry: &mut Registry) -> Self {
        let families = Families {
            depth: Family::default(),
            adds: Family::default(),
            queue_duration: Family::new_with_constructor(duration_histogram),
            work_duration: Family::new_with_constructor(duration_histogram),
            retries: Family::default(),
            reconciles: Family::default(),
            reconcile_errors: Family::default(),
            reconcile_panics: Family::default(),
            reconcile_time: Family::new_with_constructor(reconcile_histogram),
            active_workers: Family::default(),
            leader: Family::default(),
            probes: Arc::new(Probes::default()),
        };
        registry.register(
            "workqueue_depth",
            "Current depth of the workqueue",
            families.depth.clone(),
        );
        registry.register(
            "workqueue_adds",
            "Total number of adds handled by the workqueue",
            families.adds.clone(),
        );
        registry.register(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in the workqueue before being requested",
            families.queue_duration.clone(),
        );
        registry.register(
            "workqueue_work_duration_seconds",
            "How long in seconds processing an item from the workqueue takes",
            families.work_duration.clone(),
        );
        registry.register(
            "workqueue_retries",
            "Total number of retries handled by the workqueue",
            families.retries.clone(),
        );
        registry.register(
            "controller_reconcile",
            "Total number of reconciliations per controller and result",
            families.reconciles.clone(),
        );
        registry.register(
            "controller_reconcile_errors",
            "Total number of reconciliation errors per controller",
            families.reconcile_errors.clone(),
        );
        registry.register(
            "controller_reconcile_panics",
            "Total number of reconciliation panics per controller",
            families.reconcile_panics.clone(),
        );
        registry.register(
            "controller_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            families.reconcile_time.clone(),
        );
        registry.register(
            "controller_active_workers",
            "Number of currently used workers per controller",
            families.active_workers.clone(),
        );
        registry.register(
            "leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
            families.leader.clone(),
        );
        registry.register_collector(Box::new(ScrapeCollector {
            probes: families.probes.clone(),
        }));
        Metrics {
            inner: Arc::new(families),
        }
    }

    pub(crate) fn queue(&self, name: String) -> QueueMetrics {
        let labels = QueueLabels { name };
        QueueMetrics {
            depth: self.inner.depth.get_or_create(&labels).clone(),
            adds: self.inner.adds.get_or_create(&labels).clone(),
            queue_duration: self.inner.queue_duration.get_or_create(&labels).clone(),
            work_duration: self.inner.work_duration.get_or_create(&labels).clone(),
            retries: self.inner.retries.get_or_create(&labels).clone(),
            name: labels.name,
        }
    }

    pub(crate) fn watch_queue<T: std::hash::Hash + Eq + Clone + Send + Sync + 'static>(
        &self,
        queue: &crate::workqueue::Queue<T>,
    ) {
        let name = queue.metrics().map(|m| m.name.clone()).unwrap_or_default();
        let weak: Weak<dyn InFlight> = Arc::downgrade(&queue.inner) as Weak<dyn InFlight>;
        let mut queues = self.inner.probes.queues.lock().unwrap_or_else(PoisonError::into_inner);
        queues.retain(|(_, q)| q.strong_count() > 0);
        queues.push((name, weak));
    }

    pub(crate) fn controller(&self, controller: &str) -> ControllerMetrics {
        let labels = ControllerLabels {
            controller: controller.to_string(),
        };
        let result = |result| {
            self.inner
                .reconciles
                .get_or_create(&ReconcileLabels {
                    controller: controller.to_string(),
                    result,
                })
                .clone()
        };
        ControllerMetrics {
            success: result("success"),
            requeue_after: result("requeue_after"),
            error: result("error"),
            panic: result("panic"),
            errors: self.inner.reconcile_errors.get_or_create(&labels).clone(),
            panics: self.inner.reconcile_panics.get_or_create(&labels).clone(),
            time: self.inner.reconcile_time.get_or_create(&labels).clone(),
            active_workers: self.inner.active_workers.get_or_create(&labels).clone(),
        }
    }

    pub(crate) fn leader(&self, lease: &str) -> Gauge {
        self.inner
            .leader
            .get_or_create(&LeaseLabels {
                name: lease.to_string(),
            })
            .clone()
    }

    /// Reports an informer's list and watch requests, relists, events applied, objects cached
    /// and last synced resourceVersion under the label `informer="<name>"`, read at each scrape.
    /// Holds no strong reference to the informer.
    pub fn watch_informer<K>(&self, name: impl Into<String>, informer: &kube_informer::SharedIndexInformer<K>)
    where
        K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
        K::DynamicType: Clone + Send + Sync,
    {
        let weak = informer.downgrade();
        let probe: InformerProbe = Box::new(move || weak.upgrade().map(|i| i.stats()));
        let mut informers = self
            .inner
            .probes
            .informers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        informers.push((name.into(), probe));
    }
}

/// One queue's metric handles.
#[derive(Clone, Debug)]
pub(crate) struct QueueMetrics {
    name: String,
    depth: Gauge,
    adds: Counter,
    queue_duration: Histogram,
    work_duration: Histogram,
    retries: Counter,
}

impl QueueMetrics {
    pub(crate) fn add(&self) {
        self.adds.inc();
    }
    pub(crate) fn set_depth(&self, depth: usize) {
        self.depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    }
    pub(crate) fn observe_queue_duration(&self, d: Duration) {
        self.queue_duration.observe(d.as_secs_f64());
    }
    pub(crate) fn observe_work_duration(&self, d: Duration) {
        self.work_duration.observe(d.as_secs_f64());
    }
    pub(crate) fn retry(&self) {
        self.retries.inc();
    }
}

/// One controller's metric handles.
#[derive(Clone, Debug)]
pub(crate) struct ControllerMetrics {
    pub(crate) success: Counter,
    pub(crate) requeue_after: Counter,
    pub(crate) error: Counter,
    pub(crate) panic: Counter,
    pub(crate) errors: Counter,
    pub(crate) panics: Counter,
    pub(crate) time: Histogram,
    pub(crate) active_workers: Gauge,
}

/// Computes the in-flight gauges and the informer figures when scraped, so nothing polls.
#[derive(Debug)]
struct ScrapeCollector {
    probes: Arc<Probes>,
}

impl Collector for ScrapeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let unfinished: Family<QueueLabels, Gauge<f64, std::sync::atomic::AtomicU64>> = Family::default();
        let longest: Family<QueueLabels, Gauge<f64, std::sync::atomic::AtomicU64>> = Family::default();
        {
            let queues = self.probes.queues.lock().unwrap_or_else(PoisonError::into_inner);
            for (name, queue) in queues.iter() {
                let Some(queue) = queue.upgrade() else { continue };
                let (sum, max) = queue.in_flight_seconds();
                let labels = QueueLabels { name: name.clone() };
                unfinished.get_or_create(&labels).set(sum);
                longest.get_or_create(&labels).set(max);
            }
        }
        encode(
            &mut encoder,
            "workqueue_unfinished_work_seconds",
            "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
            &unfinished,
        )?;
        encode(
            &mut encoder,
            "workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running.",
            &longest,
        )?;

        let lists: Family<InformerLabels, Counter> = Family::default();
        let watches: Family<InformerLabels, Counter> = Family::default();
        let relists: Family<InformerLabels, Counter> = Family::default();
        let events: Family<InformerLabels, Counter> = Family::default();
        let cached: Family<InformerLabels, Gauge> = Family::default();
        let version: Family<InformerVersionLabels, Gauge> = Family::default();
        {
            let informers = self.probes.informers.lock().unwrap_or_else(PoisonError::into_inner);
            for (name, probe) in informers.iter() {
                let Some(stats) = probe() else { continue };
                let labels = InformerLabels { informer: name.clone() };
                lists.get_or_create(&labels).inc_by(stats.list_requests);
                watches.get_or_create(&labels).inc_by(stats.watch_requests);
                relists.get_or_create(&labels).inc_by(stats.relists);
                events.get_or_create(&labels).inc_by(stats.events_applied);
                cached
                    .get_or_create(&labels)
                    .set(i64::try_from(stats.objects_cached).unwrap_or(i64::MAX));
                if let Some(rv) = stats.last_synced_resource_version {
                    version
                        .get_or_create(&InformerVersionLabels {
                            informer: name.clone(),
                            resource_version: rv,
                        })
                        .set(1);
                }
            }
        }
        encode(
            &mut encoder,
            "informer_list_requests",
            "Total number of list requests per informer",
            &lists,
        )?;
        encode(
            &mut encoder,
            "informer_watch_requests",
            "Total number of watch requests per informer",
            &watches,
        )?;
        encode(
            &mut encoder,
            "informer_relists",
            "Total number of relists (lists after the first) per informer",
            &relists,
        )?;
        encode(
            &mut encoder,
            "informer_events_applied",
            "Total number of watch events applied to the cache per informer",
            &events,
        )?;
        encode(
            &mut encoder,
            "informer_objects_cached",
            "Number of objects in the informer's cache",
            &cached,
        )?;
        encode(
            &mut encoder,
            "informer_last_synced_resource_version_info",
            "The resourceVersion the informer's cache last synced to, as a label",
            &version,
        )
    }
}

fn encode<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &M,
) -> Result<(), std::fmt::Error> {
    let metric_encoder = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(metric_encoder)
}
