#include "app/front_door.h"

namespace plinth::app {

Task<void> FrontDoor::handle(const http::HttpRequest& request, http::ResponseWriter& writer,
                             Cancel& cancel) {
  if (admin::AdminApi::owns(request.target)) {
    co_await admin_.handle(request, writer);
  } else {
    co_await gateway_.handle(request, writer, cancel);
  }
}

}  // namespace plinth::app
