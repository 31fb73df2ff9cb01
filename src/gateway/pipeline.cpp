#include "gateway/pipeline.h"

#include "gateway/openai_error.h"

namespace plinth::gateway {

Task<void> Pipeline::run(Exchange& ex, http::ResponseWriter& writer, Cancel& cancel) const {
  bool admitted = true;
  for (const Stage* stage : stages_) {
    const Status s = stage->on_request(ex);
    if (!s) {
      co_await send_error(ex, writer, s.error());
      admitted = false;
      break;
    }
  }
  if (admitted) {
    co_await terminal_.respond(ex, *this, writer, cancel);
  }
  ex.finished = Clock::now();
  for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) (*it)->on_complete(ex);
}

Pipeline::Pipeline(std::vector<const Stage*> stages, const Terminal& terminal)
    : stages_(std::move(stages)), terminal_(terminal) {
  for (const Stage* s : stages_) {
    if (const auto* c = dynamic_cast<const ChunkStage*>(s)) chunk_stages_.push_back(c);
  }
}

Status Pipeline::on_chunk(Exchange& ex, boost::json::object& chunk) const {
  for (const ChunkStage* stage : chunk_stages_) {
    if (Status s = stage->on_chunk(ex, chunk); !s) return s;
  }
  return {};
}

http::HeaderList version_headers(const Exchange& ex) {
  http::HeaderList headers;
  if (ex.version) {
    headers.reserve(2);
    headers.emplace_back("x-plinth-model-version", ex.version->name);
    headers.emplace_back("x-plinth-config-revision", ex.snapshot->revision_text());
  }
  return headers;
}

Task<void> send_json(Exchange& ex, http::ResponseWriter& writer, int status,
                     std::string_view body) {
  ex.status = status;
  const http::HeaderList headers = version_headers(ex);
  const bool sent = co_await writer.send(status, "application/json", body, headers);
  if (!sent) ex.client_gone = true;
}

Task<void> send_error(Exchange& ex, http::ResponseWriter& writer, const Error& error) {
  const int status = http_status(error);
  const std::string body = openai_error_body(error);
  ex.error = error;
  co_await send_json(ex, writer, status, body);
}

}  // namespace plinth::gateway
