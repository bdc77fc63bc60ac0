// The documented pre-load stub: calls made before widget.js loads wait in Chat.q.
window.Chat =
  window.Chat ||
  function () {
    window.Chat.q = window.Chat.q || [];
    window.Chat.q.push(arguments);
  };
Chat('identify', { name: 'Queued Quinn', email: 'quinn@example.com' });
Chat('on', 'open', () => {
  document.body.dataset.chatOpened = 'yes';
});
Chat('open');
