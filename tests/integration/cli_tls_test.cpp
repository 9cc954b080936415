// `levain train` and `levain watch` against a gateway that speaks only TLS, as in production:
// a private CA made by openssl in the test signs the gateway's certificate for 127.0.0.1. With
// --ca-file the CLI trusts it; without, it refuses with a message that says what to do.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class CliTlsTest : public LevainTest {
 protected:
  void SetUp() override {
    make_ca_and_certificate();
    auto& replica = start_server({"--train-threads", "1"});
    replica_port_ = replica.port();
    auto& gw = start_gateway({replica_port_}, {"--tls-cert", (dir_ / "cert.pem").string(),
                                               "--tls-key", (dir_ / "key.pem").string()});
    url_ = "https://127.0.0.1:" + std::to_string(gw.port());
    token_ = token({"bakery"});
    csv_ = (dir_ / "sales.csv").string();
    std::ofstream(csv_) << demo_csv(2, 90);
  }

  // A CA, and a server certificate it signs for IP 127.0.0.1 only.
  void make_ca_and_certificate() {
    const std::string d = dir_.path().string();
    std::ofstream(dir_ / "ext.cnf") << "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                       "extendedKeyUsage=serverAuth\n";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string cmd =
        "cd '" + d + "' && openssl req -x509 " + ec +
        "-days 1 -subj /CN=levain-test-ca -keyout ca.key -out ca.pem && openssl req " + ec +
        "-subj /CN=127.0.0.1 -keyout key.pem -out server.csr && openssl x509 -req -in "
        "server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext.cnf -out "
        "cert.pem 2>openssl.log >>openssl.log";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl failed, see " << dir_ / "openssl.log";
  }

  std::vector<std::string> train_args(const std::string& url) const {
    return {"train", "--url", url, "--tenant", "bakery", "--token", token_, "--quiet", csv_};
  }

  std::uint16_t replica_port_ = 0;
  std::string url_;
  std::string token_;
  std::string csv_;
};

TEST_F(CliTlsTest, TrainThroughTheTlsGatewayWithTheCaFileCompletes) {
  auto args = train_args(url_);
  args.insert(args.end(), {"--ca-file", (dir_ / "ca.pem").string()});
  const auto r = run_levain(args, std::chrono::seconds(300));
  ASSERT_EQ(r.status.code, 0) << r.status.describe() << "\nout: " << r.out << "\nerr: " << r.err;
  EXPECT_NE(r.out.find("uploaded: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("completed"), std::string::npos) << r.out;

  // watch over wss:// reads the same finished job to its end.
  const auto start = r.out.find("job: ");
  ASSERT_NE(start, std::string::npos) << r.out;
  const std::string job = r.out.substr(start + 5, r.out.find('\n', start) - start - 5);
  const auto w =
      run_levain({"watch", "--url", "wss://127.0.0.1:" + url_.substr(url_.rfind(':') + 1),
                  "--ca-file", (dir_ / "ca.pem").string(), "--tenant", "bakery", "--job", job,
                  "--token", token_, "--quiet"});
  EXPECT_EQ(w.status.code, 0) << w.status.describe() << w.err;
  EXPECT_NE(w.out.find("completed"), std::string::npos) << w.out;
}

TEST_F(CliTlsTest, WithoutTheCaFileTheCertificateIsRefusedWithAClearMessage) {
  const auto r = run_levain(train_args(url_));
  EXPECT_EQ(r.status.code, 2) << r.status.describe() << r.err;
  EXPECT_NE(r.err.find("the certificate of " + url_ + " is not trusted"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--ca-file"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("uploaded"), std::string::npos) << "nothing was sent: " << r.out;

  // watch gives up at once: retrying cannot make the certificate trusted.
  const auto w = run_levain({"watch", "--url", url_, "--tenant", "bakery", "--job", "j1", "--token",
                             token_, "--max-attempts", "0"});
  EXPECT_EQ(w.status.code, 2) << w.status.describe() << w.err;
  EXPECT_NE(w.err.find("is not trusted"), std::string::npos) << w.err;
}

TEST_F(CliTlsTest, TheHostNameMustMatchTheCertificate) {
  // localhost reaches the same gateway, but the certificate names only 127.0.0.1.
  auto args = train_args("https://localhost:" + url_.substr(url_.rfind(':') + 1));
  args.insert(args.end(), {"--ca-file", (dir_ / "ca.pem").string()});
  const auto r = run_levain(args);
  EXPECT_EQ(r.status.code, 2) << r.status.describe() << r.err;
  EXPECT_NE(r.err.find("does not name localhost"), std::string::npos) << r.err;
}

TEST_F(CliTlsTest, AnUnusableCaFileIsNamed) {
  std::ofstream(dir_ / "not-a-ca.pem") << "hello\n";
  auto args = train_args(url_);
  args.insert(args.end(), {"--ca-file", (dir_ / "not-a-ca.pem").string()});
  const auto r = run_levain(args);
  EXPECT_EQ(r.status.code, 2) << r.status.describe() << r.err;
  EXPECT_NE(r.err.find("cannot use --ca-file"), std::string::npos) << r.err;
}

TEST_F(CliTlsTest, HttpsToAPlainHttpServerSaysSo) {
  auto args = train_args("https://127.0.0.1:" + std::to_string(replica_port_));
  const auto r = run_levain(args);
  EXPECT_EQ(r.status.code, 2) << r.status.describe() << r.err;
  EXPECT_NE(r.err.find("TLS handshake with https://127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is it an http:// server?"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace levain::integration
