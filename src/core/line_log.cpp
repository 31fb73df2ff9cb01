#include "core/line_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace plinth {

namespace {

constexpr std::size_t kWakeAt = 64 * 1024;          // wake the writer early past this
constexpr std::size_t kMaxPending = 16 * 1024 * 1024;  // appenders wait past this
constexpr auto kInterval = std::chrono::milliseconds(100);

}  // namespace

LineLog::LineLog(const std::string& path) {
  if (path.empty()) {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      throw std::runtime_error("cannot open log file " + path + ": " + std::strerror(errno));
    }
    own_fd_ = true;
  }
  writer_ = std::thread([this] { run(); });
}

LineLog::~LineLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
  if (own_fd_) ::close(fd_);
}

void LineLog::write(std::string_view line) {
  std::unique_lock lock(mu_);
  room_or_flushed_.wait(lock, [this] { return pending_.size() < kMaxPending || stop_; });
  pending_.append(line);
  pending_.push_back('\n');
  appended_ += line.size() + 1;
  if (pending_.size() >= kWakeAt) wake_writer_.notify_one();
}

void LineLog::flush() {
  std::unique_lock lock(mu_);
  const std::size_t target = appended_;
  flush_wanted_ = true;
  wake_writer_.notify_one();
  room_or_flushed_.wait(lock, [&] { return written_ >= target || stop_; });
}

void LineLog::run() {
  std::string batch;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_writer_.wait_for(lock, kInterval, [this] {
      return stop_ || flush_wanted_ || pending_.size() >= kWakeAt;
    });
    if (pending_.empty() && stop_) break;
    flush_wanted_ = false;  // the swap below takes every byte appended before the request
    if (pending_.empty()) continue;
    batch.clear();
    batch.swap(pending_);
    lock.unlock();
    room_or_flushed_.notify_all();  // room again
    write_out(batch);
    lock.lock();
    written_ += batch.size();
    room_or_flushed_.notify_all();  // flushed
  }
}

void LineLog::write_out(const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed stdout or a full disk: nothing better to do with the lines
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace plinth
