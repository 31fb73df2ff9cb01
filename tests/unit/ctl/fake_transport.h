// A Transport that records requests and answers from a script, for plinthctl's unit tests.
#pragma once

#include "ctl/http_client.h"

#include <deque>
#include <string>
#include <vector>

namespace plinth::ctl::testing {

class FakeTransport : public Transport {
 public:
  // Queues the next answer: a status and body, or (status 0) a connection failure.
  FakeTransport& answer(int status, std::string body = {}) {
    answers_.push_back(HttpResponse{status, std::move(body)});
    return *this;
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    if (answers_.empty()) return HttpResponse{500, "no answer scripted"};
    HttpResponse next = answers_.front();
    answers_.pop_front();
    if (next.status == 0) {
      return Error{ErrorCode::kUpstreamUnreachable,
                   "cannot connect to http://127.0.0.1:9: Connection refused"};
    }
    return next;
  }

  // The value of a header of the i-th request; empty when absent.
  std::string header(std::size_t i, const std::string& name) const {
    for (const auto& [n, v] : requests.at(i).headers) {
      if (n == name) return v;
    }
    return {};
  }

  std::vector<HttpRequest> requests;

 private:
  std::deque<HttpResponse> answers_;
};

}  // namespace plinth::ctl::testing
