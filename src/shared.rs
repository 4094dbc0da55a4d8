//! What a `NativeModel` and its running fit share: the model behind a lock, the training flag,
//! the signals a fit reads between batches and the buffers reused from call to call.

use dense_mtl_core::graph::Workspace;
use dense_mtl_core::model::StepBuffers;
use dense_mtl_core::{Model, Signals};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// Shared by a model and its running fit: the fit works on a worker thread while JavaScript
/// keeps the handle.
pub struct Shared {
    pub model: Mutex<Model>,
    pub training: AtomicBool,
    /// The running fit's stop flag, and the count of calls waiting for the model.
    pub signals: Arc<Signals>,
    /// Buffers reused by `predict` from call to call.
    pub predict_cache: Mutex<Option<Workspace>>,
    /// Buffers reused by `trainBatch` from call to call.
    pub batch_cache: Mutex<Option<StepBuffers>>,
}

impl Shared {
    /// A model with no fit running and no buffers yet.
    pub fn new(model: Model) -> Self {
        Shared {
            model: Mutex::new(model),
            training: AtomicBool::new(false),
            signals: Arc::default(),
            predict_cache: Mutex::new(None),
            batch_cache: Mutex::new(None),
        }
    }

    /// Refuses a second fit (or a `trainOnBatch`) while one runs, as TF.js does.
    pub fn refuse_if_training(&self) -> napi::Result<()> {
        if self.training.load(Ordering::SeqCst) {
            return Err(napi::Error::new(napi::Status::InvalidArg, "Cannot start training because another fit() call is ongoing."));
        }
        Ok(())
    }
}

/// The model, for a call from JavaScript. While a fit runs on a worker thread, the call says
/// that it waits, and the fit hands the model over after its current batch.
pub fn lock(shared: &Shared) -> MutexGuard<'_, Model> {
    // A panic while the lock was held is already reported; the model data stays usable.
    match shared.model.try_lock() {
        Ok(guard) => return guard,
        Err(TryLockError::Poisoned(p)) => return p.into_inner(),
        Err(TryLockError::WouldBlock) => {}
    }
    shared.signals.readers.fetch_add(1, Ordering::SeqCst);
    let guard = shared.model.lock().unwrap_or_else(|p| p.into_inner());
    shared.signals.readers.fetch_sub(1, Ordering::SeqCst);
    guard
}
