// FrontDoor: the server's one handler. /admin/... goes to the admin API, everything else to
// the data-plane gateway.
#pragma once

#include "admin/admin_api.h"
#include "gateway/gateway.h"
#include "http/server.h"

namespace plinth::app {

class FrontDoor final : public http::Handler {
 public:
  FrontDoor(gateway::Gateway& gateway, admin::AdminApi& admin) : gateway_(gateway), admin_(admin) {}

  Task<void> handle(const http::HttpRequest& request, http::ResponseWriter& writer,
                    Cancel& cancel) override;
  std::pair<int, std::string> render_error(const Error& error) override {
    return gateway_.render_error(error);
  }

 private:
  gateway::Gateway& gateway_;
  admin::AdminApi& admin_;
};

}  // namespace plinth::app
