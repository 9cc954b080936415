#pragma once
/// Builders for the live WebSocket messages of the contract, shared by the client's tests.

#include <string>

namespace levain::cli::test_messages {

inline std::string connected(int seq, const std::string& status, int progress, int done = 0,
                             int total = 0, const std::string& error = "") {
  return R"({"type":"connected","job_id":"j1","tenant_id":"t1","seq":)" + std::to_string(seq) +
         R"(,"timestamp":"2026-01-01T00:00:00.000000Z","data":{"snapshot":{"job_id":"j1",)" +
         R"("tenant_id":"t1","status":")" + status + R"(","progress":)" + std::to_string(progress) +
         R"(,"seq":)" + std::to_string(seq) + R"(,"total_products":)" + std::to_string(total) +
         R"(,"products_completed":)" + std::to_string(done) +
         R"(,"current_step":"Model Training","error":")" + error + R"(","products":[]}}})";
}

inline std::string event(int seq, const std::string& type, const std::string& data_fields) {
  return R"({"type":")" + type + R"(","job_id":"j1","tenant_id":"t1","seq":)" +
         std::to_string(seq) + R"(,"timestamp":"2026-01-01T00:00:00.000000Z","data":{)" +
         data_fields + "}}";
}

inline std::string product_done(int seq, int progress, int done, int total, const std::string& name,
                                const std::string& status = "succeeded") {
  return event(seq, "product_completed",
               R"("progress":)" + std::to_string(progress) +
                   R"(,"current_step":"Model Training","products_completed":)" +
                   std::to_string(done) + R"(,"total_products":)" + std::to_string(total) +
                   R"(,"product_name":")" + name + R"(","status":")" + status + R"(")");
}

inline std::string completed(int seq, int total) {
  return event(seq, "completed",
               R"("progress":100,"current_step":"Completed","products_completed":)" +
                   std::to_string(total) + R"(,"total_products":)" + std::to_string(total) +
                   R"(,"successful_trainings":)" + std::to_string(total) +
                   R"(,"failed_trainings":0,"total_duration":0.5)");
}

}  // namespace levain::cli::test_messages
