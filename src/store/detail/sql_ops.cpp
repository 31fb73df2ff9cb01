// SqlOps: the change counter, the secret-key check and the helpers every operation uses.
#include "store/detail/sql_ops.h"

#include <charconv>
#include <chrono>
#include <limits>

namespace plinth::store::detail {
namespace {

constexpr std::string_view kSecretCheckName = "secret_check";
constexpr std::string_view kSecretCheckValue = "plinth-secret-check";
constexpr int kMaxPageLimit = 1000;

}  // namespace

UnixMillis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<PageBounds> page_bounds(const PageRequest& page, bool newest_first) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return Error::invalid("limit", "limit must be between 1 and " + std::to_string(kMaxPageLimit) +
                                       ", got " + std::to_string(page.limit));
  }
  PageBounds bounds{newest_first ? std::numeric_limits<std::int64_t>::max() : 0, page.limit};
  if (page.cursor.empty()) return bounds;
  const char* end = page.cursor.data() + page.cursor.size();
  auto [ptr, ec] = std::from_chars(page.cursor.data(), end, bounds.after);
  if (ec != std::errc() || ptr != end || bounds.after < 0) {
    return Error::invalid("cursor", "cursor is not one this API returned as next_cursor");
  }
  return bounds;
}

Error not_found(std::string_view what, std::int64_t id) {
  return Error{ErrorCode::kNotFound, std::string(what) + " " + std::to_string(id) + " not found"};
}

Error stale(std::string_view what, Revision current, Revision expected) {
  return Error{ErrorCode::kPreconditionFailed,
               std::string(what) + " is at revision " + std::to_string(current) +
                   ", not the expected " + std::to_string(expected) +
                   ": it changed since it was read; read it again and retry"};
}

Result<Revision> SqlOps::revision() {
  auto rows = db_.query("SELECT revision FROM store_revision WHERE id = 1");
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return Error{ErrorCode::kInternal, "store_revision has no row"};
  return as_int((*rows)[0][0]);
}

Result<Revision> SqlOps::begin_write() {
  auto rows = db_.query(
      "UPDATE store_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision");
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return Error{ErrorCode::kInternal, "store_revision has no row"};
  const Revision revision = as_int((*rows)[0][0]);
  if (db_.dialect() == Dialect::kPostgres) {
    auto sent = db_.query("SELECT pg_notify('plinth_changes', $1)", {std::to_string(revision)});
    if (!sent.ok()) return std::move(sent).error();
  }
  return revision;
}

Status SqlOps::check_secret_key() {
  auto rows =
      db_.query("SELECT value FROM store_meta WHERE name = $1", {std::string(kSecretCheckName)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) {
    auto sealed = box_.seal(kSecretCheckValue);
    if (!sealed.ok()) return std::move(sealed).error();
    // Another replica may seal its own check value at the same moment; the first one wins
    // and the other is checked against it below.
    auto added = db_.execute(
        "INSERT INTO store_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        {std::string(kSecretCheckName), *sealed});
    if (!added.ok()) return std::move(added).error();
    if (*added == 1) return {};
    return check_secret_key();
  }
  auto opened = box_.open(as_text((*rows)[0][0]));
  if (!opened.ok() || *opened != kSecretCheckValue) {
    return Error{ErrorCode::kPermissionDenied,
                 "the secret key (PLINTH_SECRET_KEY or <data-dir>/secret.key) is not the one this "
                 "store's secrets were sealed with; start with the original key"};
  }
  return {};
}

}  // namespace plinth::store::detail
