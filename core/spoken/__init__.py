"""What callers say and staff type, read into values: dates, times, party sizes, phone
numbers, confirmation codes and the details of a booking."""
