/* Uploads with a progress bar; without JavaScript the forms post as usual.
 * The server answers a request marked X-Requested-With with JSON:
 * {ok, redirect, message | error}; errors are shown beside the form. */
(function () {
  'use strict';
  function setStatus(form, text, isError) {
    var status = form.querySelector('.upload-status');
    if (!status) { return; }
    status.textContent = text;
    status.className = 'upload-status' + (isError ? ' error' : '');
    status.setAttribute('role', isError ? 'alert' : 'status');
  }
  function send(form) {
    var file = form.querySelector('input[type=file]');
    if (!file || !file.files.length) { return false; }
    var bar = form.querySelector('progress');
    var button = form.querySelector('button[type=submit]');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (button) { button.disabled = true; }
    setStatus(form, '', false);
    xhr.upload.addEventListener('progress', function (e) {
      if (bar && e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener('load', function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = null; }
      if (button) { button.disabled = false; }
      if (answer && answer.ok) {
        if (bar) { bar.value = 100; }
        // the same page with a fragment would not reload: reload it
        if (answer.redirect.split('#')[0] === window.location.href.split('#')[0]) {
          window.location.reload();
        } else {
          window.location.assign(answer.redirect);
        }
      } else {
        if (bar) { bar.hidden = true; }
        setStatus(form, answer && answer.error ? answer.error
                  : form.getAttribute('data-failed'), true);
      }
    });
    xhr.addEventListener('error', function () {
      if (button) { button.disabled = false; }
      if (bar) { bar.hidden = true; }
      setStatus(form, form.getAttribute('data-network'), true);
    });
    xhr.send(new FormData(form));
    return true;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute('data-progress') || !window.FormData) { return; }
    if (send(form)) { e.preventDefault(); }
  });
}());
