// jemalloc's options, read by jemalloc at its first allocation (the executable's
// `malloc_conf` takes the place of the library's empty one; without jemalloc it is unused).
//
// dirty_decay_ms: how long freed pages stay in the process before they go back to the
// system. jemalloc's default, 10 s, let a burst (a stalled client releasing a thousand queued
// requests at once) hold its pages for 10-20 s after the memory was freed; at 1 s the
// resident size follows what is in use. Pages reused within a second cost nothing more.
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "dirty_decay_ms:1000";
}
