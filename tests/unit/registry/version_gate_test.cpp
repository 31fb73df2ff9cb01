// VersionGate: requests register a cancel callback; cutting the version runs each registered
// callback once, outside the gate's lock, and refuses new requests until the gate reopens.
#include "registry/version_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

namespace plinth::registry {
namespace {

TEST(VersionGate, EnterRegistersAndLeaveUnregisters) {
  VersionGate gate;
  int runs = 0;
  const VersionGate::Ticket a = gate.enter([&] { ++runs; });
  const VersionGate::Ticket b = gate.enter([&] { ++runs; });
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(gate.running(), 2u);
  gate.leave(a);
  EXPECT_EQ(gate.running(), 1u);
  gate.leave(b);
  EXPECT_EQ(gate.running(), 0u);
  EXPECT_EQ(runs, 0);
}

TEST(VersionGate, CutRunsEachRunningCallbackOnceAndNotThoseThatLeft) {
  VersionGate gate;
  int stayed = 0;
  int left = 0;
  gate.enter([&] { ++stayed; });
  gate.enter([&] { ++stayed; });
  gate.leave(gate.enter([&] { ++left; }));
  gate.cut_all();
  EXPECT_TRUE(gate.is_cut());
  EXPECT_EQ(stayed, 2);
  EXPECT_EQ(left, 0);
  EXPECT_EQ(gate.running(), 0u);
  gate.cut_all();  // a second cut has nobody left to cancel
  EXPECT_EQ(stayed, 2);
}

TEST(VersionGate, EnterAfterCutIsRefusedUntilReopen) {
  VersionGate gate;
  gate.cut_all();
  int runs = 0;
  EXPECT_EQ(gate.enter([&] { ++runs; }), 0u);
  EXPECT_EQ(gate.running(), 0u);
  gate.leave(0);  // leaving with the refused ticket is harmless
  gate.reopen();
  EXPECT_FALSE(gate.is_cut());
  const VersionGate::Ticket t = gate.enter([&] { ++runs; });
  EXPECT_NE(t, 0u);
  EXPECT_EQ(gate.running(), 1u);
  EXPECT_EQ(runs, 0);  // the refused callback never ran
  gate.cut_all();
  EXPECT_EQ(runs, 1);
}

TEST(VersionGate, CallbacksRunOutsideTheLockSoTheyMayUseTheGate) {
  VersionGate gate;
  VersionGate::Ticket mine = 0;
  bool left = false;
  VersionGate::Ticket entered_during_cut = 99;
  std::size_t running_seen = 99;
  mine = gate.enter([&] {
    // Each of these takes the gate's mutex: a callback run under it would deadlock.
    gate.leave(mine);
    left = true;
    entered_during_cut = gate.enter([] {});
    running_seen = gate.running();
  });
  ASSERT_NE(mine, 0u);
  gate.cut_all();
  EXPECT_TRUE(left);
  EXPECT_EQ(entered_during_cut, 0u);  // already cut when the callbacks run
  EXPECT_EQ(running_seen, 0u);
}

TEST(VersionGate, TicketsAreNotReusedAfterReopen) {
  VersionGate gate;
  const VersionGate::Ticket before = gate.enter([] {});
  gate.cut_all();
  gate.reopen();
  const VersionGate::Ticket after = gate.enter([] {});
  EXPECT_NE(after, 0u);
  EXPECT_NE(after, before);
  gate.leave(before);  // a stale ticket from before the cut leaves nothing behind
  EXPECT_EQ(gate.running(), 1u);
}

// Several threads enter (and leave every other request at once) while another thread cuts.
// Every request still registered when the cut came has its callback run exactly once, one
// that left runs at most once (when the cut took it before its leave()), and nothing enters
// after the cut.
TEST(VersionGate, ConcurrentEnterAndLeaveWithACut_EveryRegisteredCallbackRunsExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kCap = 20000;  // per thread, so a slow cutter cannot let memory grow unbounded
  constexpr int kCutAfter = 2000;

  struct Request {
    std::atomic<int> runs{0};
    bool left = false;
  };
  VersionGate gate;
  std::atomic<int> admitted{0};
  std::vector<std::deque<Request>> requests(kThreads);
  std::vector<char> refused_after_cut(kThreads, 0);  // not vector<bool>: written concurrently

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = requests[t];
      for (int i = 0;; ++i) {
        if (i == kCap) {
          // Wait for the cut (an event, not a sleep), then one more try must fail.
          while (!gate.is_cut()) std::this_thread::yield();
        }
        Request& r = mine.emplace_back();
        const VersionGate::Ticket ticket = gate.enter([&r] { r.runs.fetch_add(1); });
        if (ticket == 0) {
          refused_after_cut[t] = gate.is_cut() ? 1 : 0;
          mine.pop_back();
          break;
        }
        admitted.fetch_add(1, std::memory_order_relaxed);
        if (i % 2 == 0) {
          gate.leave(ticket);
          r.left = true;
        }
      }
    });
  }
  std::thread cutter([&] {
    while (admitted.load(std::memory_order_relaxed) < kCutAfter) std::this_thread::yield();
    gate.cut_all();
  });
  for (auto& th : threads) th.join();
  cutter.join();

  EXPECT_TRUE(gate.is_cut());
  EXPECT_EQ(gate.running(), 0u);
  int kept = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(refused_after_cut[t]) << "thread " << t;
    for (const Request& r : requests[t]) {
      const int runs = r.runs.load();
      if (!r.left) {
        ++kept;
        EXPECT_EQ(runs, 1) << "a request still running at the cut must be cancelled once";
      } else {
        // Cut before or after its leave(): at most once either way.
        EXPECT_LE(runs, 1);
      }
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_GE(admitted.load(), kCutAfter);
}

// Reopen after a concurrent cut: requests get in again and a second cut cancels only those.
TEST(VersionGate, ReopenedGateCancelsOnlyRequestsOfTheNewRound) {
  VersionGate gate;
  std::atomic<int> first{0};
  std::atomic<int> second{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) EXPECT_NE(gate.enter([&] { first.fetch_add(1); }), 0u);
    });
  }
  for (auto& th : threads) th.join();
  gate.cut_all();
  EXPECT_EQ(first.load(), 400);
  gate.reopen();
  for (int i = 0; i < 10; ++i) EXPECT_NE(gate.enter([&] { second.fetch_add(1); }), 0u);
  gate.cut_all();
  EXPECT_EQ(first.load(), 400);
  EXPECT_EQ(second.load(), 10);
}

}  // namespace
}  // namespace plinth::registry
