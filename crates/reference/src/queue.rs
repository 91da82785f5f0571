//! The cluster task queue: an OCSP query runs as a task, `queued`, `started`, then `finished`
//! or `failed`. A task still queued after [`QUEUED_LIMIT`] on the clock fails with
//! `task_queued_for_too_long` (documented). The queue can be stalled as a provider state.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use time::Duration;
use tokio::sync::watch;

use clock::Clock;

/// How long a task may stay queued (documented).
pub const QUEUED_LIMIT: Duration = Duration::seconds(5);

/// How many finished tasks are remembered for the state endpoint.
const HISTORY: usize = 100;

/// A task's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting to run.
    Queued,
    /// Running.
    Started,
    /// Done.
    Finished,
    /// Failed, or never left the queue.
    Failed,
}

/// A task as the state endpoint shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRecord {
    /// Its number, from 1.
    pub id: u64,
    /// What it does.
    pub name: &'static str,
    /// Where it is.
    pub state: TaskState,
}

/// The task stayed queued too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the task stayed queued for over {QUEUED_LIMIT}")]
pub struct QueuedTooLong;

/// The queue.
#[derive(Debug)]
pub struct TaskQueue {
    stalled: watch::Sender<bool>,
    tasks: Mutex<(u64, VecDeque<TaskRecord>)>,
}

impl Default for TaskQueue {
    fn default() -> Self {
        Self {
            stalled: watch::Sender::new(false),
            tasks: Mutex::new((0, VecDeque::new())),
        }
    }
}

impl TaskQueue {
    /// Stalls (nothing starts) or releases the queue.
    pub fn set_stalled(&self, stalled: bool) {
        self.stalled.send_replace(stalled);
    }

    /// Whether the queue is stalled.
    pub fn is_stalled(&self) -> bool {
        *self.stalled.borrow()
    }

    /// The latest tasks, oldest first.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.lock().1.iter().cloned().collect()
    }

    /// Runs `work` as a task once the queue lets it start, or fails after [`QUEUED_LIMIT`].
    /// `succeeded` says whether the work's result counts as `finished` or `failed`.
    pub async fn run<T>(
        &self,
        clock: &dyn Clock,
        name: &'static str,
        work: impl Future<Output = T>,
        succeeded: impl FnOnce(&T) -> bool,
    ) -> Result<T, QueuedTooLong> {
        let id = self.push(name);
        let mut stalled = self.stalled.subscribe();
        let started = async move {
            // Fails only when the sender is gone, and `self` holds it.
            let _ = stalled.wait_for(|stalled| !stalled).await;
        };
        tokio::select! {
            biased;
            () = started => {}
            () = clock.sleep(QUEUED_LIMIT) => {
                self.set_state(id, TaskState::Failed);
                return Err(QueuedTooLong);
            }
        }
        self.set_state(id, TaskState::Started);
        let output = work.await;
        let state = if succeeded(&output) {
            TaskState::Finished
        } else {
            TaskState::Failed
        };
        self.set_state(id, state);
        Ok(output)
    }

    fn push(&self, name: &'static str) -> u64 {
        let mut tasks = self.lock();
        tasks.0 += 1;
        let id = tasks.0;
        if tasks.1.len() == HISTORY {
            tasks.1.pop_front();
        }
        tasks.1.push_back(TaskRecord {
            id,
            name,
            state: TaskState::Queued,
        });
        id
    }

    fn set_state(&self, id: u64, state: TaskState) {
        if let Some(task) = self.lock().1.iter_mut().find(|task| task.id == id) {
            task.state = state;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, VecDeque<TaskRecord>)> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use clock::VirtualClock;

    #[tokio::test]
    async fn a_free_queue_runs_the_task_and_records_it() {
        let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
        let queue = TaskQueue::default();
        let result = queue.run(&clock, "ocsp_query", async { 7 }, |_| true).await;
        assert_eq!(result, Ok(7));
        let tasks = queue.tasks();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].state, TaskState::Finished);
    }

    #[tokio::test]
    async fn a_stalled_queue_fails_the_task_after_five_seconds_on_the_clock() {
        let start = datetime!(2026-03-01 12:00 UTC);
        let clock = VirtualClock::new(start);
        let queue = TaskQueue::default();
        queue.set_stalled(true);
        let result = clock
            .drive(queue.run(&clock, "ocsp_query", async { 7 }, |_| true))
            .await;
        assert_eq!(result, Err(QueuedTooLong));
        assert_eq!(clock.now(), start + QUEUED_LIMIT);
        assert_eq!(queue.tasks()[0].state, TaskState::Failed);
    }

    #[tokio::test]
    async fn a_released_queue_starts_the_waiting_task() {
        let clock = VirtualClock::new(datetime!(2026-03-01 12:00 UTC));
        let queue = std::sync::Arc::new(TaskQueue::default());
        queue.set_stalled(true);
        let waiting = {
            let (queue, clock) = (queue.clone(), clock.clone());
            tokio::spawn(async move {
                queue
                    .run(&clock, "ocsp_query", async { 1 }, |_| false)
                    .await
            })
        };
        clock.wait_for_sleepers(1).await;
        assert_eq!(queue.tasks()[0].state, TaskState::Queued);
        queue.set_stalled(false);
        assert_eq!(waiting.await.expect("joins"), Ok(1));
        assert_eq!(
            queue.tasks()[0].state,
            TaskState::Failed,
            "work that failed"
        );
    }
}
