// Security keys (WebAuthn): register a key, or log in with one. A static file: the CSP forbids
// inline script. The server sends the options (JSON, binary fields in base64url), the browser's
// key answers, the answer goes back as JSON; the server verifies everything.
(function () {
  "use strict";

  function fromBase64url(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: fromBase64url(item.id) });
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      user: Object.assign({}, options.user, { id: fromBase64url(options.user.id) }),
      excludeCredentials: descriptors(options.excludeCredentials),
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    });
  }

  function credentialJSON(credential) {
    const response = credential.response;
    const out = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) out.authenticatorAttachment = credential.authenticatorAttachment;
    if (response.attestationObject) {
      out.response.attestationObject = toBase64url(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toBase64url(response.authenticatorData);
      out.response.signature = toBase64url(response.signature);
      if (response.userHandle) out.response.userHandle = toBase64url(response.userHandle);
    }
    return out;
  }

  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
  }

  async function ceremony(form) {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const error = form.querySelector("[data-webauthn-error]");
    const button = form.querySelector("button[type=submit]");
    error.textContent = "";
    button.disabled = true;
    try {
      const optionsResponse = await post(form.dataset.optionsUrl, token);
      const options = await optionsResponse.json();
      if (!optionsResponse.ok) throw new Error(options.error || optionsResponse.statusText);
      let credential;
      const body = {};
      if (form.dataset.webauthn === "register") {
        credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        body.name = form.querySelector("input[name=name]").value;
      } else {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      }
      body.credential = credentialJSON(credential);
      const answer = await post(form.dataset.submitUrl, token, body);
      const result = await answer.json();
      if (!answer.ok) throw new Error(result.error || answer.statusText);
      window.location.assign(result.redirect);
    } catch (failure) {
      error.textContent = failure.message || String(failure);
      button.disabled = false;
    }
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    if (!window.PublicKeyCredential) {
      const notice = form.querySelector("[data-webauthn-unsupported]");
      if (notice) notice.classList.remove("visually-hidden");
      form.querySelector("button[type=submit]").disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ceremony(form);
    });
  });
})();
