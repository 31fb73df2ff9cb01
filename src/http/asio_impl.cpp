// The one translation unit that compiles Asio, Asio SSL and Beast (separate compilation),
// so that editing a handler never recompiles them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
