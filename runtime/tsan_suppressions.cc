// ThreadSanitizer suppressions, built in only under `--config=tsan`.
//
// Debian's abseil is not built with ThreadSanitizer, so TSan cannot see the
// ordering an absl::Mutex gives: accesses it guards are reported as races.
// Each entry names a function whose only reported race is data guarded by an
// absl::Mutex (checked when the entry was added).
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return
      // The launch state, guarded by launch_mu_ (launches from different
      // threads are serialized).
      "race:kiln::runtime::ThreadPool::ParallelFor\n"
      // thread_pool_test's `order` vector, appended to under an absl::Mutex.
      "race:ThreadPoolTest_EachThreadStartsOnItsOwnShareAndRunsItInOrder\n";
}
#endif
