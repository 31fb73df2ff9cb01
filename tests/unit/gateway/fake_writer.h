// A ResponseWriter that records what a handler sent, for stage and terminal tests.
#pragma once

#include "http/server.h"

#include <optional>
#include <string>
#include <vector>

namespace plinth::gateway::testing {

class FakeWriter final : public http::ResponseWriter {
 public:
  Task<bool> send(int s, std::string_view ct, std::string_view b,
                  const http::HeaderList&) override {
    status = s;
    content_type = ct;
    body = b;
    started_ = true;
    co_return !gone;
  }
  bool begin_stream(int s, std::string_view ct, const http::HeaderList& h) override {
    status = s;
    content_type = ct;
    for (const auto& [k, v] : h) headers.emplace_back(std::string(k) + ": " + std::string(v));
    started_ = true;
    streaming = true;
    return !gone;
  }
  Task<bool> write(std::string_view data) override {
    body += data;
    ++writes;
    co_return !gone;
  }
  std::optional<bool> try_write(std::string_view data) override {
    body += data;
    ++writes;
    if (take_in_part_every > 0 && writes % take_in_part_every == 0) {
      ++partial_writes;  // as a socket that took a part: drain() must follow
      return std::nullopt;
    }
    return !gone;
  }
  Task<bool> drain() override {
    ++drains;
    co_return !gone;
  }
  Task<bool> finish(std::string_view last) override {
    body += last;
    finished = true;
    co_return !gone;
  }
  bool started() const override { return started_; }

  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::string> headers;
  int writes = 0;
  bool streaming = false;
  bool finished = false;
  bool gone = false;  // set to simulate a client that went away
  int take_in_part_every = 0;  // every Nth write via try_write is taken only in part
  int partial_writes = 0;
  int drains = 0;

 private:
  bool started_ = false;
};

}  // namespace plinth::gateway::testing
