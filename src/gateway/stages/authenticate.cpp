#include "gateway/stages/authenticate.h"

#include "core/ascii.h"

#include <openssl/crypto.h>

#include <memory>
#include <string>

namespace plinth::gateway {

namespace {
constexpr std::string_view kKeyParams[] = {"api_key", "api-key", "apikey", "key",
                                           "access_token", "token", "authorization"};
}

bool query_carries_key(std::string_view query) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    std::string_view name = pair.substr(0, pair.find('='));
    for (auto k : kKeyParams) {
      if (iequals_ascii(name, k)) return true;
    }
  }
  return false;
}

Status Authenticate::on_request(Exchange& ex) const {
  if (query_carries_key(ex.query)) {
    return Error{ErrorCode::kUnauthenticated,
                 "API keys in the URL are not accepted; send Authorization: Bearer <key>"};
  }
  std::string_view auth = ex.authorization;
  if (auth.empty()) {
    return Error{ErrorCode::kUnauthenticated,
                 "missing API key: send Authorization: Bearer <key>"};
  }
  constexpr std::string_view kBearer = "bearer ";
  if (auth.size() <= kBearer.size() ||
      !iequals_ascii(auth.substr(0, kBearer.size()), kBearer)) {
    return Error{ErrorCode::kUnauthenticated,
                 "Authorization header must be 'Bearer <key>'"};
  }
  std::string_view key = auth.substr(kBearer.size());
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  // Hashing the key is the costliest step of a request's own processing, and a client sends
  // the same key again and again: remember, per thread, the last key accepted under the
  // current snapshot. Unknown keys are never cached, and the comparison is constant-time.
  struct LastAccepted {
    std::shared_ptr<const registry::Snapshot> snapshot;
    std::string key;
    const tenancy::Principal* principal = nullptr;
  };
  thread_local LastAccepted last;
  if (last.principal && last.snapshot == ex.snapshot && last.key.size() == key.size() &&
      CRYPTO_memcmp(last.key.data(), key.data(), key.size()) == 0) {
    ex.principal = last.principal;
    return {};
  }
  const tenancy::Principal* p = ex.snapshot->keys().find(key);
  if (!p) return Error{ErrorCode::kUnauthenticated, "invalid API key"};
  ex.principal = p;
  last.snapshot = ex.snapshot;
  last.key.assign(key);
  last.principal = p;
  return {};
}

}  // namespace plinth::gateway
