// Reading a request at the front door: a parser that keeps only what the server acts on, and
// what the first read buffered parsed in place. Private to src/http/ (Beast types).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace plinth::http::detail {

// The request headers the server reads. The first occurrence of each counts, empty or not.
struct RequestHeaders {
  std::string_view authorization;
  std::string_view content_type;
  std::string_view if_match;
  std::string_view expect;
  std::string_view request_id;
};

// Parses one request, keeping its method, target, the headers of RequestHeaders and its body.
// Beast's request_parser keeps every field in a node of its own (an allocation each) and the
// body in a string of its own; this one copies the few values it keeps into `store` and the
// body into `body`, strings the connection reuses from request to request (cleared here), so
// a request usually allocates nothing. Views stay valid until the next reader is constructed
// on the same strings. Limits, framing (Content-Length, chunked), keep-alive and errors are
// Beast's basic_parser's.
class RequestReader final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;  // boost::core::string_view

  RequestReader(std::string& store, std::string& body, std::uint64_t body_limit);

  std::string_view method() const { return view(method_); }
  std::string_view target() const { return view(target_); }
  RequestHeaders headers() const;  // once the head is parsed
  std::string_view body() const { return body_; }

 private:
  struct Kept {
    std::size_t at = 0;
    std::size_t size = 0;
    bool seen = false;
  };
  void keep(Kept& kept, string_view value);
  std::string_view view(const Kept& kept) const {
    return std::string_view(store_).substr(kept.at, kept.size);
  }

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int,
                       error_code&) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override;
  std::size_t on_body_impl(string_view bytes, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view bytes, error_code&) override;
  void on_finish_impl(error_code&) override {}

  std::string& store_;
  std::string& body_;
  std::uint64_t body_limit_;
  Kept method_, target_, authorization_, content_type_, if_match_, expect_, request_id_;
};

// Feeds the bytes already buffered to the parser without an asynchronous read (Beast
// completes even an already satisfied read through a posted handler). Stops at the end of
// the head (the parser is not eager) and at the end of the message. Returns the parser's
// error; "need more" is not one.
boost::system::error_code put_buffered(boost::beast::http::basic_parser<true>& parser,
                                       boost::beast::flat_buffer& buffer);

}  // namespace plinth::http::detail
