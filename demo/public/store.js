// What an ordinary shop's own script does: infinite scroll and an AJAX add-to-cart.
// It contains no event code; QueryTrail sees the DOM this script produces.

// Infinite scroll: when the pagination comes near the viewport, fetch the next page's HTML
// fragment (its own results container, with its queryID and page number) in place of it.
// The pagination links stay as they are for browsers without JavaScript.
const nextPageObserver = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) if (entry.isIntersecting) appendNextPage(entry.target);
  },
  { rootMargin: '0px 0px 400px 0px' },
);

async function appendNextPage(pagination) {
  nextPageObserver.unobserve(pagination);
  pagination.classList.add('loading');
  try {
    const response = await fetch(pagination.dataset.nextFragment, { headers: { accept: 'text/html' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const fragment = document.createElement('template');
    fragment.innerHTML = await response.text();
    const nextPagination = fragment.content.querySelector('.pagination[data-next-fragment]');
    pagination.replaceWith(fragment.content);
    if (nextPagination) nextPageObserver.observe(nextPagination);
  } catch {
    // The page links still work; a reload retries.
    pagination.classList.remove('loading');
  }
}

for (const pagination of document.querySelectorAll('.pagination[data-next-fragment]')) nextPageObserver.observe(pagination);

// Add to cart without leaving the page, like AJAX stores: the form's default is prevented.
for (const form of document.querySelectorAll('form.add-to-cart')) {
  const product = form.closest('[data-insights-object-id]');
  const quantity = form.elements.namedItem('quantity');
  // The chosen quantity goes into the markup, where QueryTrail reads it (never from form fields).
  quantity.addEventListener('change', () => {
    product.dataset.insightsQuantity = quantity.value;
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const notice = document.querySelector('.cart-notice');
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
    });
    if (!response.ok) {
      notice.replaceChildren('Could not add to the cart, please retry.');
      notice.hidden = false;
      return;
    }
    const { cartCount, added } = await response.json();
    for (const counter of document.querySelectorAll('[data-cart-count]')) counter.textContent = String(cartCount);
    const cartLink = document.createElement('a');
    cartLink.href = '/cart';
    cartLink.textContent = 'View cart';
    notice.replaceChildren(`Added ${added.quantity} × ${added.name} to your cart. `, cartLink);
    notice.hidden = false;
  });
}
