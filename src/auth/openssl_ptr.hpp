#pragma once
/// Owning pointers for the OpenSSL objects the verifier handles, so every path (including
/// exceptions) frees them. Internal to levain_auth (and the auth tests and fuzzers).

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace levain::auth::detail {

/// Calls `Free` on the pointer: one deleter type per OpenSSL free function.
template <auto Free>
struct OpensslFree {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpensslFree<BIO_free>>;
using BnPtr = std::unique_ptr<BIGNUM, OpensslFree<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslFree<ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslFree<EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpensslFree<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpensslFree<OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslFree<EVP_PKEY_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree<EVP_PKEY_free>>;
using PkeyFree = OpensslFree<EVP_PKEY_free>;  // for a shared_ptr<EVP_PKEY>

}  // namespace levain::auth::detail
