a = []
x = 12345
for i in range(1000000):
    x = (x * 16807) % 2147483647
    a.append(x)
a.sort()
print(a[0], a[500000], a[999999])
