s = 0
for i in range(10000000):
    s = (s + i * 3) % 1000003
print(s)
