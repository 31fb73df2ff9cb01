// LineLog: the access and admin log's JSON lines, written to stdout or a file by a thread of
// its own in batches. A request thread appends its line to a shared buffer under a short
// lock: no system call and no wake-up per line (an async logger that woke its writer for
// every line cost ~10 us of CPU per request on one core, bench scenario 7). The writer takes
// what has gathered every 100 ms, or at once when 64 KiB wait, and writes it in one go.
// Nothing is dropped: past 16 MiB waiting, appenders wait for the writer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace plinth {

class LineLog {
 public:
  // To standard output when `path` is empty, else appended to the file at `path`.
  // Throws std::runtime_error when the file cannot be opened.
  explicit LineLog(const std::string& path);
  ~LineLog();  // writes what is left
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  // One line; the newline is added.
  void write(std::string_view line);
  // Returns once everything written before the call is out (shutdown, tests).
  void flush();

 private:
  void run();
  void write_out(const std::string& bytes);

  int fd_ = -1;
  bool own_fd_ = false;
  std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable room_or_flushed_;
  std::string pending_;
  std::size_t appended_ = 0;  // bytes ever appended, and ever written: flush() compares them
  std::size_t written_ = 0;
  bool flush_wanted_ = false;
  bool stop_ = false;
  std::thread writer_;  // last: starts once everything above exists
};

}  // namespace plinth
