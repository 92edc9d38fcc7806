/** Repeats an async task on an interval without overlapping runs; stops for good when the page leaves. */
export function poll(task, intervalMs) {
  let stopped = false;
  let timer;
  const run = async () => {
    if (stopped) return;
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(run, intervalMs);
    }
  };
  run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** Runs the task now (e.g. after an action) instead of waiting for the next turn. */
    now() {
      clearTimeout(timer);
      run();
    },
  };
}
