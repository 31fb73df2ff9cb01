#include "app/front_door.h"

namespace plinth::app {

// Not a coroutine: it hands over the task of whichever side owns the request, so a request
// pays for no coroutine frame here.
Task<void> FrontDoor::handle(const http::HttpRequest& request, http::ResponseWriter& writer,
                             Cancel& cancel) {
  if (admin::AdminApi::owns(request.target)) return admin_.handle(request, writer);
  return gateway_.handle(request, writer, cancel);
}

}  // namespace plinth::app
