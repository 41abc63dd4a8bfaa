/* Chunked, resumable upload of the ingest form's files (no library, no CDN).
 *
 * Each file is announced (name, size), then sent in chunks of the size the server gives. A chunk
 * that fails on the network is retried after asking the server how many bytes it holds, so a
 * dropped connection resumes where it stopped instead of starting over. The server refuses a chunk
 * at the wrong offset (409) and says where to go on. When every file is complete the server
 * hashes them itself, stores them and starts the ingestion. Without JavaScript, the form posts
 * the files in one request as before.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-chunked-upload]");
  if (!form || !window.fetch || !window.URLSearchParams || !window.Blob || !Blob.prototype.slice) {
    return;
  }
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var progress = form.querySelector("[data-upload-progress]");
  var button = form.querySelector("button[type=submit]");
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var MAX_FAILURES = 8;

  function HttpError(message) {
    this.message = message;
  }

  function say(text) {
    progress.textContent = text;
    progress.hidden = false;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function request(url, body, contentType) {
    var headers = { "X-CSRFToken": csrf, "X-Requested-With": "fetch" };
    if (contentType) {
      headers["Content-Type"] = contentType;
    }
    return fetch(url, { method: body === undefined ? "GET" : "POST", headers: headers, body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, ok: response.ok, data: data };
        });
      });
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  async function sendFile(file, number, count) {
    var start = await request(form.dataset.startUrl, new URLSearchParams({ name: file.name, size: String(file.size) }));
    if (!start.ok) {
      throw new HttpError(file.name + ": " + (start.data.detail || start.status));
    }
    var id = start.data.id;
    var chunkUrl = form.dataset.chunkUrl.replace(PLACEHOLDER, id);
    var statusUrl = form.dataset.statusUrl.replace(PLACEHOLDER, id);
    var chunkBytes = start.data.chunk_bytes;
    var offset = start.data.offset;
    var failures = 0;
    while (offset < file.size) {
      var end = Math.min(offset + chunkBytes, file.size);
      try {
        var sent = await request(chunkUrl + "?offset=" + offset, file.slice(offset, end), "application/octet-stream");
        if (sent.ok || (sent.status === 409 && typeof sent.data.offset === "number")) {
          offset = sent.data.offset;
          failures = 0;
        } else {
          throw new HttpError(file.name + ": " + (sent.data.detail || sent.status));
        }
      } catch (error) {
        if (error instanceof HttpError || ++failures > MAX_FAILURES) {
          throw error;
        }
        say(form.dataset.textRetrying.replace("%(name)s", file.name));
        await sleep(Math.min(500 * Math.pow(2, failures), 30000));
        try {
          var status = await request(statusUrl);
          if (status.ok) {
            offset = status.data.offset;
          }
        } catch (ignored) {
          // still offline: the next attempt asks again
        }
      }
      say(form.dataset.textProgress
        .replace("%(number)s", number).replace("%(count)s", count).replace("%(name)s", file.name)
        .replace("%(done)s", megabytes(offset)).replace("%(size)s", megabytes(file.size)));
      progress.dataset.offset = String(offset);
    }
    return id;
  }

  form.addEventListener("submit", async function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) {
      return; // the form's own validation explains
    }
    event.preventDefault();
    button.disabled = true;
    try {
      var ids = [];
      for (var index = 0; index < input.files.length; index++) {
        ids.push(await sendFile(input.files[index], index + 1, input.files.length));
      }
      var body = new URLSearchParams();
      ids.forEach(function (id) { body.append("upload", id); });
      var password = form.querySelector("input[name=archive_password]");
      if (password && password.value) {
        body.append("archive_password", password.value);
      }
      say(form.dataset.textFinishing);
      var finish = await request(form.dataset.finishUrl, body);
      if (!finish.ok) {
        throw new HttpError(finish.data.detail || String(finish.status));
      }
      window.location.assign(finish.data.redirect);
    } catch (error) {
      say(form.dataset.textFailed + " " + (error.message || error));
      button.disabled = false;
    }
  });
})();
