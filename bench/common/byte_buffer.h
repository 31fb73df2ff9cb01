// A growable byte buffer that sockets read into directly: readable bytes at the front,
// writable space at the back, compacted instead of reallocated when it can be.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace plinth::bench {

class ByteBuffer {
 public:
  std::string_view readable() const { return {data_.get() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }

  // Makes room for at least `n` more bytes after the readable ones.
  void reserve_writable(size_t n) {
    if (capacity_ - end_ >= n) return;
    const size_t used = end_ - begin_;
    if (begin_ > 0 && capacity_ - used >= n) {
      std::memmove(data_.get(), data_.get() + begin_, used);
    } else {
      size_t cap = capacity_ == 0 ? 16384 : capacity_;
      while (cap - used < n) cap *= 2;
      auto bigger = std::make_unique_for_overwrite<char[]>(cap);
      if (used > 0) std::memcpy(bigger.get(), data_.get() + begin_, used);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }
  char* write_ptr() { return data_.get() + end_; }
  size_t writable() const { return capacity_ - end_; }
  void commit(size_t n) { end_ += n; }

  void consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace plinth::bench
